"""The SAM model against AWS's own translator: on every SAM template of both corpora, the
resources cfncheck predicts the transform generates are those ``aws-sam-translator`` generates
(logical ids and types; a hashed id by its prefix)."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
import sam_reference

from cfncheck import sam
from cfncheck.intrinsics import Resolver
from cfncheck.loader import LoadError, load_file
from cfncheck.template import SAM_TRANSFORM, build

SHARED = Path(__file__).parent.parent.parent / "shared"
SUFFIXES = (".yaml", ".yml", ".json", ".template")


def _sam_templates() -> list[str]:
    """Templates that name the transform or use a SAM resource type (SAM's own integration tests
    leave the Transform out: their harness adds it, and so does this test)."""
    found = []
    for corpus in ("corpus", "corpus2"):
        for path in sorted((SHARED / corpus).rglob("*")):
            if path.suffix in SUFFIXES and path.is_file():
                text = path.read_bytes()
                if SAM_TRANSFORM.encode() in text or b"AWS::Serverless::" in text:
                    found.append(str(path.relative_to(SHARED)))
    return found


TEMPLATES = _sam_templates()

NOT_COMPARED = {
    # cfncheck reports these files as not loadable (exit 2), so there is no model to compare
    "corpus/serverless-patterns/_pattern-model/template.yaml": "Resources is empty",
    "corpus/serverless-patterns/apigw-custom-domain-edge/template.yaml": "invalid YAML",
    "corpus/serverless-patterns/apigw-lambda-sagemaker-jumpstartendpoint-cdk-python/template.yaml": "no Resources",
    "corpus/serverless-patterns/dynamodb-lambda-cdk-kotlin/template.yaml": "Resources is empty",
    "corpus/serverless-patterns/kinesis-lambda-ddb-cdk-java/template.yaml": "Resources is empty",
    "corpus/serverless-patterns/kinesis-lambda-py-cdk/template.yaml": "Resources is empty",
    "corpus/serverless-patterns/rds-sns-event-notification/template.yaml": "invalid YAML",
    # the translator refuses these, as the SAM transform would at deploy time
    "corpus/serverless-patterns/apigw-kinesis-lambda-ddb/template.yaml": "valid Swagger definition",
    "corpus/serverless-patterns/apigw-rest-api-lambda-ecr/cdk/code/src/AWSLamdaDemo/serverless.template": "'ImageUri'",
    "corpus/serverless-patterns/appsync-apigateway-dynamodb-sam/template.yaml": "valid Swagger definition",
    "corpus/serverless-patterns/lambda-ecs-durable-python-sam/template.yaml": "'ImageUri' must be set",
    "corpus2/serverless-application-model-2019/examples/2016-10-31/api_backend/template.yaml": "is not valid",
    "corpus2/serverless-application-model-2019/examples/2016-10-31/api_swagger_cors/template.yaml": "Swagger",
    "corpus2/serverless-application-model-2019/examples/2016-10-31/iot_backend/template.yaml": "is not valid",
    "corpus2/serverless-application-model-2019/examples/apps/step-functions-error-python/template.yaml": "is not valid",
    "corpus2/serverless-application-model-2019/examples/apps/step-functions-error/template.yaml": "is not valid",
    "corpus2/serverless-application-model-2019/examples/apps/sumologic-process-logs/template.yaml": "is not valid",
    "corpus2/serverless-application-model-2019/examples/apps/twilio-conference/template.yaml": "is not valid",
    "corpus2/serverless-application-model-2019/examples/apps/twilio-forward/template.yaml": "is not valid",
    "corpus2/serverless-application-model-2019/examples/apps/twilio-menu/template.yaml": "is not valid",
    "corpus2/serverless-application-model-2019/examples/apps/twilio-simple-blueprint/template.yaml": "is not valid",
    "corpus2/serverless-application-model-2019/examples/apps/vpn-conn-monitor/template.yaml": "is not valid",
    "corpus2/serverless-application-model/integration/resources/templates/single/basic_application_sar_location.yaml": (
        "'ApplicationId' cannot be resolved"
    ),
    "corpus2/serverless-application-model/integration/resources/templates/single/"
    "basic_application_sar_location_with_intrinsics.yaml": "'ApplicationId' cannot be resolved",
}
"""Templates whose generated resources cannot be compared, and what the test sees instead."""


@pytest.fixture(autouse=True, scope="module")
def no_network():
    """The translator must not reach AWS: any connection attempt fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError(f"the SAM translator tried to connect: {args}")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket.socket, "connect", refuse)
        patch.setattr(socket, "create_connection", refuse)
        yield


def test_both_corpora_have_sam_templates():
    assert len(TEMPLATES) > 900
    assert set(NOT_COMPARED) <= set(TEMPLATES)


@pytest.mark.parametrize("name", TEMPLATES)
def test_generated_resources_match_the_translator(name):
    try:
        document = load_file(str(SHARED / name), name)
        if isinstance(document.root, dict) and "Transform" not in document.root:
            document.root["Transform"] = SAM_TRANSFORM
        template = build(document)
    except LoadError as err:
        assert name in NOT_COMPARED, err
        return
    if not template.is_sam:
        return  # a Transform naming something else, with SAM only in a string
    predicted = sam.generate(template, Resolver(template).known)
    plain = json.loads(json.dumps(document.root))
    translated = sam_reference.translate(plain)
    if name in NOT_COMPARED:
        assert isinstance(translated, str) and NOT_COMPARED[name] in translated, translated
        return
    assert not isinstance(translated, str), translated
    written = {key: value.get("Type") for key, value in plain["Resources"].items() if isinstance(value, dict)}
    assert sam_reference.differences(written, predicted, translated) == {"predicted only": [], "translated only": []}
