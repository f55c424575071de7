"""AWS's own SAM translator (``aws-sam-translator``), run offline, as the reference for what the
transform generates: tests compare :mod:`cfncheck.sam`'s predictions with its output.

A template is first made the way ``sam package`` makes it before deploying (local code and
definition paths become S3 locations). The translator runs with a fixed region and no
credentials; the Serverless Application Repository client it would call for nested
applications is replaced by one that answers without the network.
"""

from __future__ import annotations

import copy
import logging
import re
from collections.abc import Iterable

from boto3 import Session
from samtranslator.model.exceptions import InvalidDocumentException
from samtranslator.parser.parser import Parser
from samtranslator.plugins.application.serverless_app_plugin import ServerlessAppPlugin
from samtranslator.translator.translator import Translator

from cfncheck.sam import Generated

logging.getLogger("samtranslator").setLevel(logging.ERROR)  # its metrics warn of nothing published, at exit

S3 = "s3://bucket/key"
HASH = re.compile(r"[0-9a-f]{10}")


class _OfflineApplications:
    """What the Serverless Application Repository answers, without asking it."""

    def create_cloud_formation_template(self, **_):
        return {"Status": "ACTIVE", "TemplateId": "offline", "TemplateUrl": "https://s3.amazonaws.com/bucket/app.yaml"}

    def get_cloud_formation_template(self, **_):
        return self.create_cloud_formation_template()

    def get_application(self, **_):
        return {}


def package(template: dict) -> dict:
    """The template as ``sam package`` uploads it: local paths of code and definitions are S3 locations."""
    template = copy.deepcopy(template)
    globals_ = template.get("Globals") if isinstance(template.get("Globals"), dict) else {}
    function_globals = globals_.get("Function") if isinstance(globals_.get("Function"), dict) else {}
    if isinstance(function_globals.get("CodeUri"), str):
        function_globals["CodeUri"] = S3
    for resource in (template.get("Resources") or {}).values():
        properties = resource.get("Properties") if isinstance(resource, dict) else None
        if not isinstance(properties, dict):
            continue
        kind = resource.get("Type")
        if kind == "AWS::Serverless::Function":
            image = properties.get("PackageType", function_globals.get("PackageType")) == "Image"
            if not image and not {"InlineCode", "ImageUri"} & properties.keys():
                if isinstance(properties.get("CodeUri", function_globals.get("CodeUri")), (str, type(None))):
                    properties["CodeUri"] = S3
        elif kind in ("AWS::Serverless::Api", "AWS::Serverless::HttpApi", "AWS::Serverless::StateMachine"):
            if isinstance(properties.get("DefinitionUri"), str):
                properties["DefinitionUri"] = S3
        elif kind == "AWS::Serverless::LayerVersion":
            if isinstance(properties.get("ContentUri", ""), str):
                properties["ContentUri"] = S3
        elif kind == "AWS::Serverless::Application":
            if isinstance(properties.get("Location"), str):
                properties["Location"] = "https://s3.amazonaws.com/bucket/key"
        elif kind == "AWS::Serverless::GraphQLApi":
            if isinstance(properties.get("SchemaUri"), str):
                properties["SchemaUri"] = S3
    return template


def translate(template: dict) -> dict[str, str] | str:
    """The resources (logical id → type) of the translated template, or why the translator refuses it."""
    translator = Translator(
        None,
        Parser(),
        plugins=[ServerlessAppPlugin(sar_client=_OfflineApplications())],
        boto_session=Session(region_name="us-east-1", aws_access_key_id="offline", aws_secret_access_key="offline"),
    )
    try:
        output = translator.translate(package(template), parameter_values={})
    except InvalidDocumentException as err:
        return "rejected: " + "; ".join(sorted(str(cause) for cause in err.causes))[:300]
    except Exception as err:  # noqa: BLE001 - the translator's own failures on odd templates are reported as such
        return f"fails: {type(err).__name__}: {err}"[:300]
    return {name: resource.get("Type") for name, resource in output.get("Resources", {}).items()}


def differences(written: dict, predicted: Iterable[Generated], translated: dict[str, str]) -> dict[str, list[str]]:
    """What the model predicts that the translator does not generate (``predicted only``), and what
    the translator generates that the model does not predict (``translated only``), as ``Id Type``;
    a hashed id is written with ``<hash>`` in place of the hash. Resources the template writes
    itself (not SAM's) are not compared."""
    own = {name for name, kind in written.items() if not str(kind).startswith("AWS::Serverless::")}
    model = {(g.logical_id, g.type, g.hashed) for g in predicted}
    exact = {(name, kind) for name, kind, hashed in model if not hashed}
    prefixes = {(name, kind) for name, kind, hashed in model if hashed}
    matched, unexpected = set(), []
    for name, kind in translated.items():
        if name in own and written.get(name) == kind:
            continue
        if (name, kind) in exact:
            matched.add((name, kind, False))
            continue
        prefix = next(
            (p for p, k in prefixes if k == kind and name.startswith(p) and HASH.fullmatch(name[len(p) :])), None
        )
        if prefix is not None:
            matched.add((prefix, kind, True))
        else:
            unexpected.append(f"{name} {kind}")
    missing = [f"{name}{'<hash>' if hashed else ''} {kind}" for name, kind, hashed in sorted(model - matched)]
    return {"predicted only": sorted(missing), "translated only": sorted(unexpected)}
