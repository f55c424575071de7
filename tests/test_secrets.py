"""SECRET001-SECRET005: plaintext secrets, NoEcho parameters and AWS credentials."""

from __future__ import annotations

from pathlib import Path

from cfncheck.testing import expected, findings, run_files, summary

SAMPLES = Path(__file__).parent.parent / "samples" / "secrets"
SECRET = ["SECRET001", "SECRET002", "SECRET003", "SECRET004", "SECRET005"]


def only(text: str, select=SECRET, **options):
    return summary(findings(text, select=select, **options))


def test_bad_sample_reports_each_rule_on_its_line():
    result = run_files([SAMPLES / "bad.yaml"], select=SECRET)
    assert result.errors == [] and result.internal_errors == 0
    wanted = expected(SAMPLES / "bad.yaml")
    assert {rule for rule, *_ in wanted} == set(SECRET)
    assert sorted(summary(result.findings), key=str) == sorted(((r, res, line) for r, res, line, _ in wanted), key=str)


def test_good_sample_is_clean():
    result = run_files([SAMPLES / "good.yaml"], select=SECRET)
    assert result.errors == [] and result.findings == []


def test_literal_in_secret_property_and_its_fixes():
    text = """
    Resources:
      Db:
        Type: AWS::RDS::DBInstance
        Properties:
          MasterUserPassword: %s
    """
    assert only(text % "'Sup3rSecret!'", ["SECRET001"]) == [("SECRET001", "Db", 5)]
    assert only(text % "!Join ['', [abc, def]]", ["SECRET001"]) == [("SECRET001", "Db", 5)]
    assert only(text % "''", ["SECRET001"]) == []
    for stand_in in ("dummy-value", "CHANGEME", "change-me", "xxxxxxxx", "<your password>", "fake password"):
        assert only(text % repr(stand_in), ["SECRET001"]) == [], stand_in
    assert only(text % "password", ["SECRET001"]) == [("SECRET001", "Db", 5)]  # weak, but the credential
    assert only(text % "'{{resolve:ssm-secure:/db/password:1}}'", ["SECRET001"]) == []
    assert (
        only(text % "!Sub '{{resolve:secretsmanager:${AWS::StackName}-db:SecretString:password}}'", ["SECRET001"]) == []
    )


def test_secret_in_one_if_branch_names_the_scenario():
    text = """
    Parameters:
      Env: {Type: String}
    Conditions:
      IsDev: !Equals [!Ref Env, dev]
    Resources:
      User:
        Type: AWS::IAM::User
        Properties:
          LoginProfile:
            Password: !If [IsDev, devpassword, "{{resolve:secretsmanager:prod-user}}"]
    """
    (finding,) = findings(text, select=["SECRET001"])
    assert (finding.rule_id, finding.resource, finding.line) == ("SECRET001", "User", 10)
    assert finding.conditions == {"IsDev": True}


def test_parameter_flowing_into_secret_property():
    text = """
    Parameters:
      Master:
        Type: String
        Default: notsecret
    Resources:
      Db:
        Type: AWS::Redshift::Cluster
        Properties:
          MasterUserPassword: !Sub "${Master}"
    """
    # the value comes from a parameter: judged at the parameter, not at the property
    assert only(text) == [("SECRET002", None, 2), ("SECRET003", None, 4)]
    assert only(text, parameters={"Master": "given-at-deploy"}) == [("SECRET002", None, 2), ("SECRET003", None, 4)]


def test_secret_parameter_exclusions():
    text = """
    Parameters:
      DbPassword: {Type: String, NoEcho: true}
      ApiKey: {Type: "AWS::SSM::Parameter::Value<String>", Default: /app/key}
      UsePassword: {Type: String, Default: "yes"}
      AuthToken: {Type: String, AllowedValues: [a, b], Default: a}
      SecretName: {Type: String, Default: app/secret}
      GithubToken: {Type: String, NoEcho: true, Default: "{{resolve:secretsmanager:gh}}"}
    Resources: {}
    """
    assert only(text) == []


def test_noecho_parameter_in_outputs_and_metadata():
    text = """
    Metadata:
      Notes: !Join ["", ["key=", !Ref Key]]
    Parameters:
      Key: {Type: String, NoEcho: true}
    Resources:
      Host:
        Type: AWS::EC2::Instance
        Metadata:
          AWS::CloudFormation::Init:
            config:
              files:
                /etc/app.conf:
                  content: !Sub "key=${Key}"
        Properties:
          ImageId: ami-1
    Outputs:
      Plain:
        Value: !Ref Key
      Safe:
        Value: !GetAtt Host.PrivateIp
    """
    assert only(text, ["SECRET004"]) == [("SECRET004", None, 2), ("SECRET004", "Host", 13), ("SECRET004", None, 18)]


def test_access_keys_and_user_data():
    text = """
    Resources:
      Fn:
        Type: AWS::Lambda::Function
        Properties:
          Environment:
            Variables:
              AWS_KEY: AKIAQWERTYUIOPASDFGH
      Host:
        Type: AWS::EC2::Instance
        Properties:
          UserData: IyEvYmluL2Jhc2gKZWNobyAiW2RlZmF1bHRdIiA+IH4vLmF3cy9jcmVkZW50aWFscwo=
    """
    assert only(text, ["SECRET005"]) == [("SECRET005", "Fn", 7), ("SECRET005", "Host", 11)]


def test_secret_properties_come_from_the_reviewed_data():
    from cfncheck.analysis.secrets import secret_properties

    table = secret_properties()
    assert "Properties.PrivateKey" in table["AWS::Pinpoint::APNSChannel"]
    assert "Properties.TokenKey" in table["AWS::Pinpoint::APNSChannel"]
    assert "Properties.AppSource.Password" in table["AWS::OpsWorks::App"]
    assert "Properties.CustomCookbooksSource.SshKey" in table["AWS::OpsWorks::Stack"]
    assert "Properties.ServiceAccountCredentials.AccountPassword" in table["AWS::AppStream::DirectoryConfig"]
    assert "Properties.Passwords[]" in table["AWS::ElastiCache::User"]
    assert "AWS::CloudFormation::CustomResource" not in table  # ServiceToken is an ARN
    assert not any(path.endswith("ClientToken") for paths in table.values() for path in paths)


def test_opsworks_and_appstream_secrets_are_found():
    text = """
    Resources:
      App:
        Type: AWS::OpsWorks::App
        Properties:
          AppSource: {Type: git, Url: "git@example.com:app.git", SshKey: "-----BEGIN RSA PRIVATE KEY-----"}
      Directory:
        Type: AWS::AppStream::DirectoryConfig
        Properties:
          ServiceAccountCredentials: {AccountName: svc, AccountPassword: "{{resolve:secretsmanager:ad}}"}
    """
    assert only(text, ["SECRET001"]) == [("SECRET001", "App", 5)]


def test_empty_or_null_secret_is_unset():
    text = """
    Parameters:
      Password: {Type: String, NoEcho: true}
    Resources:
      Broker:
        Type: AWS::Pinpoint::APNSChannel
        Properties: {ApplicationId: app, PrivateKey: "", TokenKey: null}
    """
    assert only(text, ["SECRET001"]) == []
    from cfncheck.analysis.secrets import is_unset

    assert is_unset("") and is_unset(None) and not is_unset("x") and not is_unset(0)


def test_a_secret_parameter_finding_names_the_resource_that_receives_it():
    text = """
    Parameters:
      DbPassword: {Type: String, NoEcho: true, Default: hunter2hunter2}
    Resources:
      Db:
        Type: AWS::RDS::DBInstance
        Properties:
          Engine: mysql
          DBInstanceClass: db.t3.micro
          MasterUsername: admin
          MasterUserPassword: !Ref DbPassword
    """
    (finding,) = findings(text, select=["SECRET003"])
    assert (finding.resource, finding.path) == (None, ("Parameters", "DbPassword", "Default"))  # the place to fix
    assert [(place.resource, place.line, place.message) for place in finding.related] == [
        ("Db", 10, "Db MasterUserPassword receives DbPassword")
    ]
    assert finding.as_dict()["related"][0]["resource"] == "Db"
