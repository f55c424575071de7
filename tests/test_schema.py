"""Resource schema validation: CFN015, CFN016, CFN018, CFN032, CFN033, and the schema lookups of CFN001/CFN003."""

from pathlib import Path

from cfncheck import schemas
from cfncheck.schemas.validation import REQUIRED, UNKNOWN_PROPERTY, VALUE, validate
from cfncheck.testing import findings, run_files, summary
from cfncheck.values import Reference, Unknown

SAMPLES = Path(__file__).parent.parent / "samples" / "schema"
SCHEMA_CHECKS = ["CFN001", "CFN003", "CFN015", "CFN016", "CFN018", "CFN032", "CFN033"]


def _run(name):
    result = run_files([SAMPLES / name], select=SCHEMA_CHECKS)
    assert not result.errors, result.errors
    return result.findings


def test_each_kind_of_schema_error_on_its_line():
    assert summary(_run("invalid.yaml")) == [
        ("CFN018", None, 7),  # Default not in AllowedValues
        ("CFN016", None, 11),  # parameter without Type
        ("CFN015", None, 12),  # Tpye
        ("CFN015", "Queue", 19),  # VisibilityTimout
        ("CFN032", "Queue", 20),  # 30 < 60 in the IsProd branch
        ("CFN032", "Queue", 21),  # not an integer
        ("CFN033", "Queue", 22),  # Arn is read-only
        ("CFN032", "FifoQueue", 27),  # FIFO name without .fifo (patch)
        ("CFN016", "Function", 30),  # Role missing, on the Properties key
        ("CFN032", "Function", 35),  # Timeout 2000 from the parameter default (patch)
        ("CFN032", "Function", 36),  # MemorySize 64 (patch)
        ("CFN032", "Function", 37),  # Ref to a queue (a string) where a list is required
        ("CFN015", "Function", 39),  # nested: Environment.Varibles
        ("CFN032", "Log", 44),  # enum
        ("CFN003", "Instance", 46),  # AWS::EC2::Instances
        ("CFN001", None, 51),  # GetAtt Queue.Url
        ("CFN016", None, 52),  # Output without Value
    ]


def test_messages_say_what_to_change():
    messages = {(f.rule_id, f.line): f.message for f in _run("invalid.yaml")}
    assert "did you mean VisibilityTimeout?" in messages[("CFN015", 19)]
    assert next(f for f in _run("invalid.yaml") if f.line == 20).conditions == {"IsProd": True}
    assert "maximum 900" in messages[("CFN032", 35)]
    assert "Did you mean AWS::EC2::Instance?" in messages[("CFN003", 46)]
    assert "Did you mean QueueUrl?" in messages[("CFN001", 51)]
    assert "Did you mean Variables?" in messages[("CFN015", 39)].replace("did you", "Did you")


def test_unresolved_intrinsics_custom_resources_and_valid_values_pass():
    assert _run("valid.yaml") == []


def test_each_fn_if_branch_is_checked_and_named():
    found = findings(
        """
        Parameters:
          Env: {Type: String}
        Conditions:
          IsProd: !Equals [!Ref Env, prod]
        Resources:
          Queue:
            Type: AWS::SQS::Queue
            Properties:
              VisibilityTimeout: !If [IsProd, 50000, 30]
        """,
        select=["CFN032"],
    )
    assert summary(found) == [("CFN032", "Queue", 9)]
    assert found[0].conditions == {"IsProd": True}


def test_parameters_change_the_verdict():
    text = """
    Parameters:
      Timeout: {Type: Number, Default: 30}
    Resources:
      Function:
        Type: AWS::Lambda::Function
        Properties:
          Role: arn:aws:iam::123456789012:role/r
          Code: {ZipFile: x}
          Timeout: !Ref Timeout
    """
    assert findings(text, select=["CFN032"]) == []
    assert summary(findings(text, select=["CFN032"], parameters={"Timeout": "1000"})) == [("CFN032", "Function", 9)]


def test_strings_that_cloudformation_converts_pass():
    schema = {"type": "object", "properties": {"N": {"type": "integer", "maximum": 10}, "B": {"type": "boolean"}}}
    assert validate({"N": "7", "B": "true"}, schema) == []
    assert [p.kind for p in validate({"N": "11", "B": "maybe"}, schema)] == [VALUE, VALUE]


def test_unknown_passes_everything_and_references_are_checked_for_their_kind():
    schema = {"type": "object", "properties": {"L": {"type": "array"}, "S": {"type": "string", "pattern": "^x$"}}}
    assert validate({"L": Unknown("?"), "S": Unknown("?")}, schema) == []
    assert validate({"S": Reference("Queue")}, schema) == []
    assert [p.path for p in validate({"L": Reference("Queue")}, schema)] == [("L",)]


def test_one_of_any_of_and_dependencies():
    schema = {
        "type": "object",
        "properties": {"A": {}, "B": {}, "C": {}},
        "oneOf": [{"required": ["A"]}, {"required": ["B"]}],
        "dependencies": {"C": ["A"]},
    }
    assert validate({"A": 1}, schema) == []
    assert [p.kind for p in validate({}, schema)] == [REQUIRED]
    assert "only one of them" in validate({"A": 1, "B": 2}, schema)[0].message
    assert [(p.kind, p.path) for p in validate({"B": 1, "C": 1}, schema)] == [(REQUIRED, ("A",))]
    # an unknown value may be either alternative: never "both"
    assert validate({"A": Unknown("?"), "B": Unknown("?")}, {**schema, "oneOf": [{"required": ["A"]}]}) == []
    assert UNKNOWN_PROPERTY in {p.kind for p in validate({"A": 1, "D": 1}, {**schema, "additionalProperties": False})}


def test_conditional_applies_only_when_its_if_surely_holds():
    schema = schemas.resource_schema("AWS::SQS::Queue").schema
    assert validate({"FifoQueue": Unknown("?"), "QueueName": "orders"}, schema) == []
    assert [p.path for p in validate({"FifoQueue": "true", "QueueName": "orders"}, schema)] == [("QueueName",)]
    assert [p.path for p in validate({"QueueName": "orders.fifo"}, schema)] == [("FifoQueue",)]
    topic = schemas.resource_schema("AWS::SNS::Topic").schema
    assert [p.path for p in validate({"TopicName": "prices.fifo"}, topic)] == [("FifoTopic",)]
    assert validate({"TopicName": "prices.fifo", "FifoTopic": True}, topic) == []
    assert validate({"TopicName": Unknown("?")}, topic) == []


def test_type_lookups():
    assert schemas.is_resource_type("AWS::SQS::Queue")
    assert schemas.closest_type("AWS:EC2:Instance") == "AWS::EC2::Instance"
    assert schemas.closest_type("AWS::EC2::Instances") == "AWS::EC2::Instance"
    assert schemas.type_problem("Custom::Thing") is None
    assert schemas.type_problem("MyOrg::Service::Thing") is None
    assert schemas.attribute_problem("AWS::SQS::Queue", "Arn") is None
    assert schemas.attribute_problem("AWS::CloudFormation::CustomResource", "Anything") is None
    assert schemas.attribute_problem("AWS::CloudFormation::Stack", "Outputs.Url") is None
    assert schemas.attribute_problem("AWS::EC2::Subnet", "VpcId") is None
    assert "Endpoint.Address" in schemas.attribute_problem("AWS::RDS::DBInstance", "Endpoint.Adress")


def test_every_patch_applies():
    for type_name in schemas._patches():
        assert schemas.resource_schema(type_name) is not None, type_name


def test_schemas_load_lazily_and_once():
    schemas.resource_schema.cache_clear()
    findings("Resources:\n  Q:\n    Type: AWS::SQS::Queue\n", select=["CFN015"])
    assert schemas.resource_schema.cache_info().currsize == 1
    first = schemas.resource_schema("AWS::SQS::Queue")
    assert schemas.resource_schema("AWS::SQS::Queue") is first


def test_rain_directives_and_macro_templates_are_not_judged():
    assert (
        findings(
            """
        Resources:
          F:
            Type: AWS::Lambda::Function
            Properties:
              Role: arn:aws:iam::123456789012:role/r
              Code:
                ZipFile:
                  Rain::Embed: handler.py
        """,
            select=["CFN032"],
        )
        == []
    )
    found = findings(
        """
        Transform: MyMacro
        Resources:
          Q:
            Type: AWS::SQS::Queue
            Properties:
              Anything: 1
        """,
        select=["CFN015"],
    )
    # not judged, and said once: the macro is named where it is written
    assert summary(found, severity=True) == [("CFN900", None, 1, "info")]
    assert found[0].message.startswith("Transform: the macro MyMacro is not run by cfncheck")


def test_a_bad_value_from_a_parameter_default_names_the_parameter():
    text = """
    Parameters:
      Timeout: {Type: Number, Default: 1000}
    Resources:
      Function:
        Type: AWS::Lambda::Function
        Properties:
          Role: arn:aws:iam::123456789012:role/r
          Code: {ZipFile: x}
          Timeout: !Ref Timeout
          MemorySize: 20000
    """
    found = findings(text, select=["CFN032"])
    assert summary(found) == [("CFN032", "Function", 9), ("CFN032", "Function", 10)]
    assert "Default of parameter Timeout: pass a valid value" in found[0].message
    assert "parameter" not in found[1].message
    given = findings(text, select=["CFN032"], parameters={"Timeout": "1000"})
    assert "Default" not in given[0].message


def test_java_nested_class_patterns_are_not_read_with_python_meaning(recwarn):
    # AWS::ApplicationInsights::Application's Tier pattern is ^[A-Z][[A-Z]_]*$: a union in Java
    # (an upper-case letter, then letters or underscores); Python would read another pattern and
    # reject SQL_SERVER, a value CloudFormation accepts.
    found = findings(
        """
        Resources:
          App:
            Type: AWS::ApplicationInsights::Application
            Properties:
              ResourceGroupName: my-group
              ComponentMonitoringSettings:
                - ComponentName: db
                  Tier: SQL_SERVER
                  ComponentConfigurationMode: DEFAULT
        """,
        select=["CFN032"],
    )
    assert found == []
    assert not [w for w in recwarn if issubclass(w.category, FutureWarning)]


def test_every_registry_read_only_property_is_an_attribute_getatt_can_read():
    """The vendored data reconciles both sources for every type: what the registry declares
    read-only is an attribute, and a read-only name is never also a writable property."""
    types = schemas.index()["types"]
    reconciled = 0
    for type_name in types:
        schema = schemas.resource_schema(type_name)
        assert schema is not None, type_name
        assert schema.registry_read_only <= set(schema.attributes), type_name
        assert not schema.read_only & set(schema.properties), type_name
        reconciled += bool(schema.registry_read_only)
    assert reconciled > 1000  # the types the provider schemas cover
    assert "DomainArn" in schemas.resource_schema("AWS::Elasticsearch::Domain").attributes


def test_getatt_of_registry_attributes_and_map_keys_is_accepted():
    found = findings(
        """
        Resources:
          Product:
            Type: AWS::ServiceCatalog::CloudFormationProvisionedProduct
            Properties: {ProductName: p, ProvisioningArtifactName: v1}
          Search:
            Type: AWS::Elasticsearch::Domain
        Outputs:
          Account: {Value: !GetAtt Product.Outputs.AccountId}
          Domain: {Value: !GetAtt Search.DomainArn}
          Wrong: {Value: !GetAtt Product.Output.AccountId}
        """,
        select=["CFN001"],
    )
    assert summary(found) == [("CFN001", None, 10)]


def test_read_only_properties_are_a_warning_since_cloudformation_ignores_them():
    found = findings(
        """
        Resources:
          Cluster:
            Type: AWS::Neptune::DBCluster
            Properties: {Port: 8182}
        """,
        select=SCHEMA_CHECKS,
    )
    assert summary(found, severity=True) == [("CFN033", "Cluster", 4, "warning")]
    assert "CloudFormation ignores" in found[0].message


def test_list_parameter_types_and_allowed_values_per_item():
    found = findings(
        """
        Parameters:
          Cidrs: {Type: List<String>, Default: "10.0.0.0/8"}
          Logs: {Type: CommaDelimitedList, Default: "api,audit", AllowedValues: [api, audit, scheduler]}
          Bad: {Type: CommaDelimitedList, Default: "api,debug", AllowedValues: [api, audit]}
        Resources:
          Topic:
            Type: AWS::SNS::Topic
            Properties:
              TopicName: !Join ["-", [!Join [",", !Ref Cidrs], !Join [",", !Ref Logs], !Join [",", !Ref Bad]]]
        """,
        select=SCHEMA_CHECKS,
    )
    assert summary(found) == [("CFN018", None, 4)]
    assert "'debug'" in found[0].message


def test_a_float_is_sent_as_cloudformation_writes_it():
    found = findings(
        """
        Resources:
          Project:
            Type: AWS::CodeBuild::Project
            Properties:
              Artifacts: {Type: NO_ARTIFACTS}
              Environment:
                {ComputeType: BUILD_GENERAL1_SMALL, Image: "aws/codebuild/standard:7.0", Type: LINUX_CONTAINER}
              ServiceRole: arn:aws:iam::123456789012:role/build
              Source: {Type: NO_SOURCE, BuildSpec: "version: 0.2"}
              SourceVersion: 2.0
              Name: 2.0
        """,
        select=SCHEMA_CHECKS,
    )
    assert summary(found) == []
    from cfncheck.schemas.validation import _text

    assert [_text(v) for v in (2.0, 1.5, 30, 1e7, True)] == ["2.0", "1.5", "30", "1.0E7", "true"]
