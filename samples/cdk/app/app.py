"""The CDK app whose synthesized output is in cdk.out (kept for the sample; not run by tests)."""

import aws_cdk as cdk
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3


class OrdersNested(cdk.NestedStack):
    def __init__(self, scope, construct_id, **kwargs):
        super().__init__(scope, construct_id, **kwargs)
        s3.Bucket(self, "Archive", encryption=s3.BucketEncryption.S3_MANAGED)


class OrdersStack(cdk.Stack):
    def __init__(self, scope, construct_id, **kwargs):
        super().__init__(scope, construct_id, **kwargs)
        uploads = s3.Bucket(self, "Uploads")
        handler = lambda_.Function(
            self,
            "Handler",
            runtime=lambda_.Runtime.PYTHON_3_12,
            handler="index.handler",
            code=lambda_.Code.from_asset("lambda"),
            environment={"BUCKET": uploads.bucket_name},
        )
        uploads.grant_read(handler)
        OrdersNested(self, "Archive")


app = cdk.App()
OrdersStack(app, "OrdersStack", synthesizer=cdk.LegacyStackSynthesizer())
app.synth()
