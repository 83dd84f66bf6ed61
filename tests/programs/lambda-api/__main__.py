"""A Lambda function behind API Gateway, with code from archives (third-party style)."""

import json

import iam
import pulumi
import pulumi_aws as aws

stage_name = "example"

hello = aws.lambda_.Function(
    "hello",
    role=iam.lambda_role.arn,
    runtime="python3.12",
    handler="hello.handler",
    code=pulumi.AssetArchive({".": pulumi.FileArchive("./hello_lambda")}),
)

worker = aws.lambda_.Function(
    "worker",
    role=iam.lambda_role.arn,
    runtime="python3.12",
    handler="main.handler",
    code=pulumi.AssetArchive(
        {
            "main.py": pulumi.StringAsset("def handler(event, context):\n    return event\n"),
            "shared": pulumi.FileArchive("./shared"),
            "README.txt": pulumi.FileAsset("./hello_lambda/hello.py"),
            "vendor": pulumi.AssetArchive({"LICENSE": pulumi.RemoteAsset("https://example.com/LICENSE")}),
        }
    ),
)

rest_api = aws.apigateway.RestApi(
    "api",
    body=hello.arn.apply(
        lambda arn: json.dumps(
            {
                "swagger": "2.0",
                "info": {"title": "api", "version": "1.0"},
                "paths": {
                    "/{proxy+}": {
                        "x-amazon-apigateway-any-method": {
                            "x-amazon-apigateway-integration": {
                                "uri": f"arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/{arn}/invocations",
                                "httpMethod": "POST",
                                "type": "aws_proxy",
                            }
                        }
                    }
                },
            }
        )
    ),
)

deployment = aws.apigateway.Deployment("api-deployment", rest_api=rest_api.id)
stage = aws.apigateway.Stage("api-stage", rest_api=rest_api.id, deployment=deployment.id, stage_name=stage_name)

aws.lambda_.Permission(
    "api-permission",
    action="lambda:InvokeFunction",
    function=hello.name,
    principal="apigateway.amazonaws.com",
    source_arn=stage.execution_arn.apply(lambda arn: arn + "*/*"),
)

http_api = aws.apigatewayv2.Api("http-api", protocol_type="HTTP")
integration = aws.apigatewayv2.Integration(
    "http-integration",
    api_id=http_api.id,
    integration_type="AWS_PROXY",
    integration_method="POST",
    integration_uri=worker.invoke_arn,
)
aws.apigatewayv2.Route(
    "http-route",
    api_id=http_api.id,
    route_key="ANY /{proxy+}",
    target=integration.id.apply(lambda id_: "integrations/" + id_),
)

pulumi.export("endpoint", stage.invoke_url.apply(lambda url: url + "/{proxy+}"))
pulumi.export("worker_code", worker.code)
