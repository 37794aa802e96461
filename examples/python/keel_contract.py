"""Drive a Keel session from Python with nothing but Keel's JSON Schemas and Temporal's Python SDK.

Starts an agent session, waits for its write_critical call, approves it with a statement signed by
an approver's Ed25519 key (the key file `keel keys create` writes), and prints the result. Every
payload that crosses the boundary is checked against the schemas shipped in the package.

    python3 keel_contract.py --schemas ../../schemas --key alice.json \
        --agent support --tenant acme --subject cus_ada --approver alice --input "..."

Connection: TEMPORAL_ADDRESS (default localhost:7233), TEMPORAL_NAMESPACE, KEEL_TASK_QUEUE (default keel).
"""
import argparse
import asyncio
import base64
import json
import os
import sys
import time
import uuid
from pathlib import Path

from cryptography.hazmat.primitives.serialization import load_pem_private_key
from jsonschema import Draft202012Validator
from temporalio.client import Client, WorkflowUpdateFailedError


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class Contract:
    """The JSON Schemas of Keel's public contract (schemas/contract.json names them)."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.index = json.loads((directory / "contract.json").read_text())

    def check(self, file: str, value) -> None:
        schema = json.loads((self.directory / file).read_text())
        errors = sorted(Draft202012Validator(schema).iter_errors(value), key=lambda e: list(e.path))
        if errors:
            raise ValueError(f"{file}: " + "; ".join(f"{'/'.join(map(str, e.path)) or '(root)'}: {e.message}" for e in errors[:5]))


def sign_statement(key_file: dict, claims: dict) -> str:
    """A decision statement: a compact JWS (EdDSA) over the claims, signed with the approver's key."""
    header = {"alg": "EdDSA", "kid": key_file["kid"], "typ": "keel-decision+jws"}
    signing_input = f"{b64url(json.dumps(header).encode())}.{b64url(json.dumps(claims).encode())}"
    private_key = load_pem_private_key(key_file["privateKeyPem"].encode(), password=None)
    return f"{signing_input}.{b64url(private_key.sign(signing_input.encode()))}"


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--schemas", required=True, type=Path)
    parser.add_argument("--key", required=True, type=Path, help="the approver's key file (keel keys create)")
    parser.add_argument("--agent", required=True)
    parser.add_argument("--tenant", required=True)
    parser.add_argument("--subject", action="append", default=[])
    parser.add_argument("--approver", action="append", default=[])
    parser.add_argument("--input", required=True)
    args = parser.parse_args()

    contract = Contract(args.schemas)
    key_file = json.loads(args.key.read_text())
    client = await Client.connect(os.environ.get("TEMPORAL_ADDRESS", "localhost:7233"), namespace=os.environ.get("TEMPORAL_NAMESPACE", "default"))
    task_queue = os.environ.get("KEEL_TASK_QUEUE", "keel")

    request = {"agent": args.agent, "input": args.input, "scope": {"tenant": args.tenant, "subjects": args.subject}, "approvers": args.approver}
    contract.check(contract.index["workflows"]["agentSession"], request)
    session_id = f"py-session-{uuid.uuid4()}"
    handle = await client.start_workflow("agentSession", request, id=session_id, task_queue=task_queue)
    print(f"started {session_id}")

    for _ in range(300):
        status = await handle.query("status")
        contract.check(contract.index["queries"]["status"], status)
        if status["pendingApprovals"]:
            break
        await asyncio.sleep(0.1)
    else:
        print("no approval was requested", file=sys.stderr)
        return 1
    pending = status["pendingApprovals"][0]
    print(f"approval needed: {pending['tool']} {json.dumps(pending['input'])} (digest {pending['digest']})")

    now = int(time.time() * 1000)
    claims = {
        "v": 1,
        "session": session_id,
        "execution": status["execution"],
        "request": pending["requestId"],
        "digest": pending["digest"],
        "decision": "approve",
        "approver": key_file["identity"],
        "roles": key_file.get("roles", []),
        "note": "approved from Python",
        "issuedAtMs": now,
        "expiresAtMs": now + 15 * 60 * 1000,
    }
    contract.check("decision-statement-claims.json", claims)
    envelope = {"statement": sign_statement(key_file, claims), "sender": "python-example"}
    contract.check(contract.index["updates"]["approve"]["input"], envelope)

    # A forged one first: the session refuses it at once.
    try:
        await handle.execute_update("approve", {"statement": envelope["statement"][:-4] + "AAAA"})
        print("a forged statement was accepted", file=sys.stderr)
        return 1
    except WorkflowUpdateFailedError as error:
        print(f"forged statement refused: {error.cause}")

    accepted = await handle.execute_update("approve", envelope)
    contract.check(contract.index["updates"]["approve"]["result"], accepted)
    print(f"accepted: {accepted['decision']} {accepted['requestId']} by {accepted['approver']}")

    result = await handle.result()
    contract.check(contract.index["results"]["agentSession"], result)
    print(json.dumps({"outcome": result["outcome"], "output": result["output"]}))
    return 0 if result["outcome"] == "completed" else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
