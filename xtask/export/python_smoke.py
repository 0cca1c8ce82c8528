"""Smoke test of the Python client exported by `cargo xtask export --lang python`.

Usage: python python_smoke.py CLIENT_DIR OPENAPI_JSON

Imports the generated package and round-trips the reference's example `POST /sms` request body
and answer (taken from the document itself) through the generated models: each must serialize
back to the same dict.
"""

import importlib
import json
import sys


def main() -> int:
    client_dir, document = sys.argv[1], sys.argv[2]
    sys.path.insert(0, client_dir)
    package = importlib.import_module("noxitel_api_client")
    models = importlib.import_module("noxitel_api_client.models")
    send_sms = importlib.import_module("noxitel_api_client.api.sms.send_sms")
    print(f"imported {package.__name__} from {client_dir}")

    with open(document, encoding="utf-8") as f:
        spec = json.load(f)
    operation = spec["paths"]["/sms"]["post"]
    request = operation["requestBody"]["content"]["application/json"]["examples"]["curl"]["value"]
    answer = operation["responses"]["200"]["content"]["application/json"]["examples"]["success"]["value"]

    body = models.SendSmsRequest.from_dict(request)
    assert body.sender == "NOXITEL", body.sender
    assert body.contacts[0].mobile == "919887111111", body.contacts
    assert body.to_dict() == request, (body.to_dict(), request)
    print("SendSmsRequest round-trips the reference's cURL example")

    # The request the client would send, without sending it.
    kwargs = send_sms._get_kwargs(body=body)
    assert kwargs["method"] == "post" and kwargs["url"] == "/sms", kwargs
    assert kwargs["json"] == request, kwargs["json"]
    print("sendSms builds POST /sms with that body")

    response = models.SendSmsResponse.from_dict(answer)
    assert response.batch_id == answer["batch_id"], response.batch_id
    assert response.to_dict() == answer, (response.to_dict(), answer)
    print("SendSmsResponse round-trips the reference's example answer")

    # Open enums: a delivery status the document does not list yet still parses.
    dlr = {"status": "success", "data": [{"msg_id": "m1", "dlr": {"status": "expired"}}]}
    parsed = models.RcsDlrResponse.from_dict(dlr)
    assert parsed.to_dict() == dlr, (parsed.to_dict(), dlr)
    print("RcsDlrResponse accepts an RCS delivery status added after the document")

    client = package.AuthenticatedClient(base_url=spec["servers"][0]["url"], token="YOUR_API_TOKEN")
    assert client.token == "YOUR_API_TOKEN"
    print("python smoke test: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
