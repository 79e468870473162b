"""The durable moto's own decisions, without a server: which requests change which group of
services, what pickles, and refusing a snapshot it cannot read."""

from __future__ import annotations

import io
import json
import pickle
import threading
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import moto
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from moto import backends

from devportal_local.aws_server import StateUnreadable, Store, _Pickler, classify

SIGNED = "AWS4-HMAC-SHA256 Credential=testing/20261202/us-east-1/{service}/aws4_request, SignedHeaders=host"


def environ(
    service: str | None = None, *, target: str = "", method: str = "POST", form: str = "", query: str = ""
) -> dict[str, Any]:
    body = form.encode()
    env: dict[str, Any] = {"REQUEST_METHOD": method, "QUERY_STRING": query, "wsgi.input": io.BytesIO(body)}
    if service:
        env["HTTP_AUTHORIZATION"] = SIGNED.format(service=service)
    if target:
        env["HTTP_X_AMZ_TARGET"] = target
    if form:
        env |= {"CONTENT_TYPE": "application/x-www-form-urlencoded", "CONTENT_LENGTH": str(len(body))}
    return env


@pytest.mark.parametrize(
    ("request_environ", "group", "mutates"),
    [
        (environ("dynamodb", target="DynamoDB_20120810.PutItem"), "dynamodb", True),
        (environ("dynamodb", target="DynamoDB_20120810.Query"), "dynamodb", False),
        (environ("dynamodb", target="DynamoDB_20120810.TransactWriteItems"), "dynamodb", True),
        (environ("s3", method="PUT"), "s3", True),
        (environ("s3", method="GET"), "s3", False),
        (
            environ(method="GET", query="X-Amz-Credential=testing%2F20261202%2Fus-east-1%2Fs3%2Faws4_request"),
            "s3",
            False,
        ),
        (environ(target="AWSCognitoIdentityProviderService.InitiateAuth"), "cognito", True),  # unsigned, stores tokens
        (environ("cognito-idp", target="AWSCognitoIdentityProviderService.AdminGetUser"), "cognito", False),
        (environ("events", target="AWSEvents.PutEvents"), "messaging", True),  # delivers into queues
        (environ("sns", form="Action=Publish&TopicArn=x"), "messaging", True),
        (environ("sns", form="Action=ListTopics"), "messaging", False),
        (environ("ssm", target="AmazonSSM.GetParametersByPath"), "config", False),
        (environ("sts", form="Action=GetCallerIdentity"), None, False),
        (environ(method="GET"), None, False),  # the JWKS, moto's own API
    ],
)
def test_requests_are_classified_by_group_and_effect(
    request_environ: dict[str, Any], group: str | None, mutates: bool
) -> None:
    call = classify(request_environ)
    assert (call.group, call.mutates) == (group, mutates)


def test_a_query_protocol_body_is_still_there_for_moto() -> None:
    request = environ("sns", form="Action=Publish&Message=hi")
    classify(request)
    assert request["wsgi.input"].read() == b"Action=Publish&Message=hi"


def test_what_moto_holds_and_pickle_refuses_is_carried_across() -> None:
    nested: defaultdict[str, Any] = defaultdict(lambda: defaultdict(dict))
    nested["a"]["b"]["c"] = 1
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    state = {"tags": nested, "lock": threading.Lock(), "rlock": threading.RLock(), "key": key}
    buffer = io.BytesIO()
    _Pickler(buffer, set()).dump(state)
    restored = pickle.loads(buffer.getvalue())  # noqa: S301 - our own bytes
    assert restored["tags"]["a"]["b"] == {"c": 1}
    assert restored["tags"]["new"]["x"] == {}  # still a defaultdict of defaultdicts
    assert restored["lock"].acquire(blocking=False)
    assert restored["key"].private_numbers() == key.private_numbers()


def test_moto_mappings_that_need_constructor_arguments_come_back_whole() -> None:
    from moto.ssm.models import ParameterDict

    parameters: Any = ParameterDict("123456789012", "us-east-1")
    parameters["/devportal/settings/max-findings"].append("v1")
    buffer = io.BytesIO()
    _Pickler(buffer, set()).dump(parameters)
    restored = pickle.loads(buffer.getvalue())  # noqa: S301 - our own bytes
    assert restored.region_name == "us-east-1"
    assert restored["/devportal/settings/max-findings"] == ["v1"]
    assert restored["/devportal/settings/other"] == []  # still a defaultdict of lists
    assert type(restored) is ParameterDict


def test_a_snapshot_of_another_moto_version_is_refused_with_what_to_do(tmp_path: Path) -> None:
    store = Store(tmp_path / "aws")
    store.manifest.write_text(json.dumps({"format": 1, "moto": "0.0.1"}))
    with pytest.raises(StateUnreadable, match=r"written by moto 0\.0\.1.*--fresh"):
        store.load()


def sqs_call(client: Any, action: str, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post(
        "/",
        data=json.dumps(body),
        headers={
            "Authorization": SIGNED.format(service="sqs"),
            "X-Amz-Target": f"AmazonSQS.{action}",
            "Content-Type": "application/x-amz-json-1.0",
        },
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    answer: dict[str, Any] = json.loads(response.get_data() or b"{}")
    return answer


def test_a_delete_is_written_by_the_flush_and_a_send_before_its_answer(tmp_path: Path) -> None:
    """A send must survive a crash the moment it is answered; a delete may wait for the flush, since
    losing it only delivers the message again."""
    from werkzeug.test import Client

    from devportal_local.aws_server import DurableApp

    store = Store(tmp_path / "aws")
    client = Client(DurableApp(store))
    snapshot = store.directory / "messaging.pickle"
    queue = sqs_call(client, "CreateQueue", {"QueueName": f"lazy-{tmp_path.name}"[:80]})["QueueUrl"]
    sqs_call(client, "SendMessage", {"QueueUrl": queue, "MessageBody": "hello"})
    assert b"hello" in snapshot.read_bytes()
    sent = snapshot.read_bytes()

    taken = sqs_call(client, "ReceiveMessage", {"QueueUrl": queue, "VisibilityTimeout": 30})["Messages"]
    sqs_call(client, "DeleteMessage", {"QueueUrl": queue, "ReceiptHandle": taken[0]["ReceiptHandle"]})
    assert snapshot.read_bytes() == sent
    assert store.dirty == {"messaging"}

    store.flush()
    assert store.dirty == set()
    assert snapshot.read_bytes() != sent


def test_a_cancelled_transaction_leaves_every_item_as_it_was_without_copying_the_table(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The stand-in's TransactWriteItems backs up only the items it touches (moto copies the table)."""
    import boto3
    from botocore.exceptions import ClientError
    from moto import mock_aws
    from moto.dynamodb.models.table import Table

    from devportal_local.aws_server import _transactions_without_table_copies

    _transactions_without_table_copies()
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        client.create_table(
            TableName="t",
            KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "PK", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        for pk, n in (("a", "1"), ("b", "2")):
            client.put_item(TableName="t", Item={"PK": {"S": pk}, "n": {"N": n}})

        def no_table_copies(self: object, memo: object) -> None:
            raise AssertionError("a whole table was copied")

        monkeypatch.setattr(Table, "__deepcopy__", no_table_copies, raising=False)

        def put_then_fail() -> None:
            client.transact_write_items(
                TransactItems=[
                    {"Put": {"TableName": "t", "Item": {"PK": {"S": "c"}, "n": {"N": "3"}}}},
                    {"Update": {"TableName": "t", "Key": {"PK": {"S": "a"}}, "UpdateExpression": "SET n = :n",
                                "ConditionExpression": "n = :old",
                                "ExpressionAttributeValues": {":n": {"N": "9"}, ":old": {"N": "7"}}}},
                    {"Delete": {"TableName": "t", "Key": {"PK": {"S": "b"}}}},
                ]
            )  # fmt: skip

        with pytest.raises(ClientError, match="TransactionCanceled"):
            put_then_fail()
        items = {i["PK"]["S"]: i["n"]["N"] for i in client.scan(TableName="t")["Items"]}
        assert items == {"a": "1", "b": "2"}  # the put undone, the delete never done, a untouched
        client.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": "t", "Item": {"PK": {"S": "c"}, "n": {"N": "3"}}}},
                {"Update": {"TableName": "t", "Key": {"PK": {"S": "a"}}, "UpdateExpression": "SET n = :n",
                            "ExpressionAttributeValues": {":n": {"N": "9"}}}},
            ]
        )  # fmt: skip
        items = {i["PK"]["S"]: i["n"]["N"] for i in client.scan(TableName="t")["Items"]}
        assert items == {"a": "9", "b": "2", "c": "3"}


def aws_call(client: Any, service: str, target: str, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post(
        "/",
        data=json.dumps(body),
        headers={
            "Authorization": SIGNED.format(service=service),
            "X-Amz-Target": target,
            "Content-Type": "application/x-amz-json-1.0",
        },
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    answer: dict[str, Any] = json.loads(response.get_data() or b"{}")
    return answer


class Tables:
    """A DynamoDB table of the stand-in, through its HTTP API (werkzeug's test client, no socket)."""

    def __init__(self, client: Any, name: str) -> None:
        self.client, self.name = client, name

    def call(self, action: str, body: dict[str, Any]) -> dict[str, Any]:
        return aws_call(self.client, "dynamodb", f"DynamoDB_20120810.{action}", {"TableName": self.name, **body})

    def create(self) -> None:
        self.call(
            "CreateTable",
            {
                "KeySchema": [{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}],
                "AttributeDefinitions": [
                    {"AttributeName": "PK", "AttributeType": "S"},
                    {"AttributeName": "SK", "AttributeType": "S"},
                ],
                "BillingMode": "PAY_PER_REQUEST",
            },
        )

    def put(self, pk: str, n: str) -> None:
        self.call("PutItem", {"Item": {"PK": {"S": pk}, "SK": {"S": "v"}, "n": {"N": n}}})

    def items(self) -> dict[str, str]:
        return {i["PK"]["S"]: i["n"]["N"] for i in self.call("Scan", {})["Items"]}


def restarted(directory: Path) -> Store:
    """What a new stand-in process finds: moto emptied, then the state directory loaded."""
    for service in ("dynamodb", "s3"):
        backends.get_backend(service).reset()
    store = Store(directory)
    store.load()
    return store


@pytest.fixture
def durable(tmp_path: Path) -> Iterator[tuple[Store, Any]]:
    from werkzeug.test import Client

    from devportal_local.aws_server import DurableApp, _recording_item_writes

    _recording_item_writes()
    store = Store(tmp_path / "aws")
    yield store, Client(DurableApp(store))
    for service in ("dynamodb", "s3"):
        backends.get_backend(service).reset()


def test_item_writes_are_journaled_and_come_back_without_rewriting_the_table(
    durable: tuple[Store, Any], tmp_path: Path
) -> None:
    store, client = durable
    table = Tables(client, f"t-{tmp_path.name}"[:200])
    table.create()
    snapshot = store.directory / "dynamodb.pickle"
    created = snapshot.read_bytes()  # a new table: the snapshot is written whole
    for pk, n in (("a", "1"), ("b", "2"), ("c", "3")):
        table.put(pk, n)
    table.call(
        "UpdateItem",
        {"Key": {"PK": {"S": "a"}, "SK": {"S": "v"}}, "UpdateExpression": "SET n = :n",
         "ExpressionAttributeValues": {":n": {"N": "10"}}},
    )  # fmt: skip
    table.call("DeleteItem", {"Key": {"PK": {"S": "b"}, "SK": {"S": "v"}}})
    table.call(
        "TransactWriteItems",
        {"TransactItems": [{"Put": {"TableName": table.name,
                                    "Item": {"PK": {"S": "d"}, "SK": {"S": "v"}, "n": {"N": "4"}}}}]},
    )  # fmt: skip
    aws_call(
        client, "dynamodb", "DynamoDB_20120810.BatchWriteItem",
        {"RequestItems": {table.name: [{"PutRequest": {"Item": {"PK": {"S": "e"}, "SK": {"S": "v"}, "n": {"N": "5"}}}},
                                       {"DeleteRequest": {"Key": {"PK": {"S": "c"}, "SK": {"S": "v"}}}}]}},
    )  # fmt: skip
    assert snapshot.read_bytes() == created
    assert store.journals["dynamodb"].entries == 7
    expected = {"a": "10", "d": "4", "e": "5"}
    assert table.items() == expected

    restarted(store.directory)
    assert table.items() == expected


def test_a_torn_last_entry_is_left_out_and_what_came_before_stays(durable: tuple[Store, Any], tmp_path: Path) -> None:
    store, client = durable
    table = Tables(client, f"t-{tmp_path.name}"[:200])
    table.create()
    table.put("a", "1")
    table.put("b", "2")
    journal = store.journals["dynamodb"].path
    whole = journal.read_bytes()
    journal.write_bytes(whole[:-3])  # the process died while writing b's entry: b was never answered
    restarted(store.directory)
    assert table.items() == {"a": "1"}


def test_entries_the_snapshot_already_holds_are_not_applied_again(durable: tuple[Store, Any], tmp_path: Path) -> None:
    """A crash after a snapshot is written but before its journal is emptied."""
    store, client = durable
    table = Tables(client, f"t-{tmp_path.name}"[:200])
    table.create()
    table.put("a", "1")
    stale = store.journals["dynamodb"].path.read_bytes()
    table.put("a", "2")
    store.save("dynamodb")
    store.journals["dynamodb"].path.write_bytes(stale)
    restarted(store.directory)
    assert table.items() == {"a": "2"}


def test_a_full_journal_is_folded_into_the_snapshot(
    durable: tuple[Store, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("devportal_local.aws_server.JOURNAL_MAX_ENTRIES", 3)
    store, client = durable
    table = Tables(client, f"t-{tmp_path.name}"[:200])
    table.create()
    for n in range(5):
        table.put(f"k{n}", str(n))
    assert store.journals["dynamodb"].entries == 1  # three journaled, the fourth wrote the snapshot, then one
    restarted(store.directory)
    assert table.items() == {f"k{n}": str(n) for n in range(5)}


def test_object_writes_are_journaled_with_their_bytes_kept_once(durable: tuple[Store, Any], tmp_path: Path) -> None:
    store, client = durable
    bucket = f"b-{tmp_path.name}".lower()[:60].replace("_", "-")
    headers = {"Authorization": SIGNED.format(service="s3")}
    assert client.put(f"/{bucket}", headers=headers).status_code == 200
    snapshot = store.directory / "s3.pickle"
    created = snapshot.read_bytes()
    assert client.put(f"/{bucket}/specs/a.json", data=b'{"a": 1}', headers=headers).status_code == 200
    assert client.put(f"/{bucket}/specs/b.json", data=b'{"b": 2}', headers=headers).status_code == 200
    assert client.delete(f"/{bucket}/specs/b.json", headers=headers).status_code == 204
    tagged = client.put(
        f"/{bucket}/specs/a.json?tagging",
        data=b"<Tagging><TagSet><Tag><Key>k</Key><Value>v</Value></Tag></TagSet></Tagging>",
        headers=headers,
    )
    assert tagged.status_code == 200
    assert snapshot.read_bytes() != created  # a subresource is not an item write: the snapshot is rewritten
    assert store.journals["s3"].entries == 0
    assert client.put(f"/{bucket}/specs/c.json", data=b'{"c": 3}', headers=headers).status_code == 200
    assert store.journals["s3"].entries == 1

    restarted(store.directory)
    assert client.get(f"/{bucket}/specs/a.json", headers=headers).get_data() == b'{"a": 1}'
    assert client.get(f"/{bucket}/specs/b.json", headers=headers).status_code == 404
    assert client.get(f"/{bucket}/specs/c.json", headers=headers).get_data() == b'{"c": 3}'


def test_a_state_of_the_snapshot_only_format_is_read_and_rewritten(durable: tuple[Store, Any], tmp_path: Path) -> None:
    from devportal_local.aws_server import _service_state

    store, client = durable
    table = Tables(client, f"t-{tmp_path.name}"[:200])
    table.create()
    table.put("a", "1")
    old = {"dynamodb": _service_state(backends.get_backend("dynamodb"))}
    buffer = io.BytesIO()
    _Pickler(buffer, set()).dump(old)
    (store.directory / "dynamodb.pickle").write_bytes(buffer.getvalue())
    store.journals["dynamodb"].clear()
    store.manifest.write_text(json.dumps({"format": 1, "moto": moto.__version__}))
    restarted(store.directory)
    assert table.items() == {"a": "1"}
    assert json.loads(store.manifest.read_text())["format"] == 2


def test_a_query_reads_its_own_partition_with_moto_s_ranges_order_and_pages() -> None:
    """The stand-in's Query looks at the queried partition only (moto walks the whole table), and
    answers what DynamoDB answers: range conditions, both orders, pages, projections, indexes."""
    import boto3
    from moto import mock_aws
    from moto.dynamodb.models.table import Table

    from devportal_local.aws_server import _queries_read_their_partition

    _queries_read_their_partition()
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        client.create_table(
            TableName="t",
            KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}],
            AttributeDefinitions=[
                {"AttributeName": "PK", "AttributeType": "S"},
                {"AttributeName": "SK", "AttributeType": "S"},
                {"AttributeName": "G", "AttributeType": "S"},
            ],
            GlobalSecondaryIndexes=[
                {
                    "IndexName": "byg",
                    "KeySchema": [{"AttributeName": "G", "KeyType": "HASH"}],
                    "Projection": {"ProjectionType": "ALL"},
                }
            ],
            BillingMode="PAY_PER_REQUEST",
        )  # fmt: skip
        for pk in ("a", "b", "c"):
            for n in range(12):
                item = {"PK": {"S": pk}, "SK": {"S": f"H#{n:02d}"}, "G": {"S": "all"}, "n": {"N": str(n)}}
                client.put_item(TableName="t", Item=item)
        walked: list[int] = []
        original = Table.all_items

        def counting(self: Table) -> Any:
            found = original(self)
            walked.append(len(found))
            return found

        Table.all_items = counting  # type: ignore[method-assign]
        try:
            pages, start = [], None
            while True:
                arguments: dict[str, Any] = {
                    "TableName": "t",
                    "KeyConditionExpression": "PK = :p AND SK BETWEEN :low AND :high",
                    "ExpressionAttributeValues": {":p": {"S": "b"}, ":low": {"S": "H#03"}, ":high": {"S": "H#09"}},
                    "ProjectionExpression": "SK",
                    "ScanIndexForward": False,
                    "Limit": 3,
                    **({"ExclusiveStartKey": start} if start else {}),
                }
                answer = client.query(**arguments)
                pages.append([item["SK"]["S"] for item in answer["Items"]])
                start = answer.get("LastEvaluatedKey")
                if not start:
                    break
            indexed = client.query(
                TableName="t",
                IndexName="byg",
                KeyConditionExpression="G = :g",
                ExpressionAttributeValues={":g": {"S": "all"}},
            )
        finally:
            Table.all_items = original  # type: ignore[method-assign]

    assert [sk for page in pages for sk in page] == [f"H#{n:02d}" for n in range(9, 2, -1)]
    assert all(len(page) <= 3 for page in pages)
    assert set(walked[: len(pages)]) == {7}  # what the range keeps of its partition, never all 36 items
    assert indexed["Count"] == 36  # an index still sees every partition
