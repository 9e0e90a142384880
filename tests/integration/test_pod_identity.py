"""EKS Pod Identity associations: the sandbox's five calls judged by the
aws CLI and by botocore's parser and output shapes, and albatross's
get, create and delete podidentityassociation and get serviceaccounts
against them. The aws CLI on PATH (pip, botocore 1.43) has the pod
identity calls; Debian's python3-botocore 1.29 has none of them.
Expected values come from tests/worlds/pod-identity.yaml."""

import json
import os
import re
import ssl
import unittest
import urllib.parse
import uuid

import botocore
import botocore.auth
import yaml
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

import sandbox
from botocheck import AwsChecks, model
from sandbox import Sandbox

WORLD = os.path.join(sandbox.TEST_WORLDS, "pod-identity.yaml")
ACCOUNT = "111122223333"
REGION = "us-east-2"
COLLECTION = "/clusters/%s/pod-identity-associations"


def role(name):
    return "arn:aws:iam::%s:role/%s" % (ACCOUNT, name)


def eks_requests(log):
    """(method, path) of each EKS pod identity request in the sandbox log."""
    return re.findall(r"^albatross-sandbox: (GET|POST|DELETE) "
                      r"(/clusters/[^ ]*pod-identity-associations[^ ]*) ",
                      log, re.M)


class PodIdentityBase(AwsChecks, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if "ListPodIdentityAssociations" not in model("eks").operation_names:
            raise unittest.SkipTest("botocore %s has no EKS Pod Identity "
                                    "calls" % botocore.__version__)
        with open(WORLD) as f:
            cls.world = yaml.safe_load(f)
        cls.sb = Sandbox(world=WORLD).start()
        cls.env = cls.sb.env
        cls.endpoint = cls.env["AWS_ENDPOINT_URL"]
        cls.host = urllib.parse.urlsplit(cls.endpoint).netloc
        cls.tls = ssl.create_default_context(cafile=cls.env["AWS_CA_BUNDLE"])
        cls.key = cls.env["AWS_ACCESS_KEY_ID"]
        cls.secret = cls.env["AWS_SECRET_ACCESS_KEY"]

    @classmethod
    def tearDownClass(cls):
        cls.sb.stop()

    def world_associations(self, cluster="pods"):
        c = next(c for c in self.world["clusters"] if c["name"] == cluster)
        return c.get("podIdentityAssociations") or []

    def post_json(self, path, body):
        """A rest-json POST signed by botocore."""
        data = json.dumps(body).encode()
        req = AWSRequest(method="POST", url=self.endpoint + path, data=data,
                         headers={"Content-Type": "application/json"})
        botocore.auth.SigV4Auth(Credentials(self.key, self.secret), "eks",
                                REGION).add_auth(req)
        prepared = req.prepare()
        return self.send("POST", path, data, dict(prepared.headers.items()))

    def cli_json(self, *args, check=True):
        res = self.sb.aws("eks", *args, check=check)
        return json.loads(res.stdout) if res.returncode == 0 else res

    def albatross_new_requests(self, *args):
        before = len(self.sb.output())
        res = self.sb.albatross(*args, check=False)
        return res, self.sb.output()[before:]


class SandboxCalls(PodIdentityBase):
    """The sandbox against the aws CLI and botocore."""

    def test_list_matches_world(self):
        listed = self.cli_json("list-pod-identity-associations",
                               "--cluster-name", "pods")["associations"]
        want = {(a["namespace"], a["serviceAccount"])
                for a in self.world_associations()}
        self.assertEqual({(a["namespace"], a["serviceAccount"]) for a in listed},
                         want)
        for a in listed:
            self.assertEqual(a["clusterName"], "pods")
            self.assertRegex(a["associationId"], r"^a-[a-z0-9]{17}$")
            self.assertEqual(a["associationArn"],
                             "arn:aws:eks:%s:%s:podidentityassociation/pods/%s"
                             % (REGION, ACCOUNT, a["associationId"]))
            self.assertNotIn("roleArn", a)

    def test_list_and_describe_strict(self):
        reply = self.signed("eks", REGION, "GET", COLLECTION % "pods")
        listed = self.check_json_reply("ListPodIdentityAssociations", reply)
        by_sa = {a["serviceAccount"]: a for a in self.world_associations()}
        for summary in listed["associations"]:
            path = COLLECTION % "pods" + "/" + summary["associationId"]
            reply = self.signed("eks", REGION, "GET", path)
            a = self.check_json_reply("DescribePodIdentityAssociation",
                                      reply)["association"]
            declared = by_sa[a["serviceAccount"]]
            self.assertEqual(a["roleArn"], declared["roleArn"])
            self.assertEqual(a.get("tags", {}), declared.get("tags", {}))
            created = declared.get("created", "2024-05-01T10:00:00Z")
            self.assertEqual(a["createdAt"].strftime("%Y-%m-%dT%H:%M:%SZ"),
                             created)
            self.assertEqual(a["modifiedAt"], a["createdAt"])
        declared_id = self.world_associations()[0]["id"]
        self.assertIn(declared_id, [a["associationId"]
                                    for a in listed["associations"]])

    def test_filters(self):
        batch = self.cli_json("list-pod-identity-associations", "--cluster-name",
                              "pods", "--namespace", "batch")["associations"]
        self.assertEqual([a["serviceAccount"] for a in batch], ["ghost"])
        one = self.cli_json("list-pod-identity-associations", "--cluster-name",
                            "pods", "--namespace", "apps", "--service-account",
                            "conflict")["associations"]
        self.assertEqual([a["serviceAccount"] for a in one], ["conflict"])
        none = self.cli_json("list-pod-identity-associations", "--cluster-name",
                             "pods", "--service-account", "nothing")["associations"]
        self.assertEqual(none, [])

    def test_paging_with_next_token(self):
        seen = []
        token = None
        pages = 0
        while True:
            args = ["list-pod-identity-associations", "--cluster-name", "pods",
                    "--max-results", "2", "--no-paginate"]
            if token:
                args += ["--next-token", token]
            page = self.cli_json(*args)
            pages += 1
            self.assertLessEqual(len(page["associations"]), 2)
            seen += [a["associationId"] for a in page["associations"]]
            token = page.get("nextToken")
            if not token:
                break
        self.assertEqual(pages, 3)
        self.assertEqual(len(seen), len(self.world_associations()))
        self.assertEqual(len(set(seen)), len(seen))

    def test_paging_errors(self):
        path = COLLECTION % "pods"
        for params in ({"maxResults": "0"}, {"maxResults": "101"},
                       {"nextToken": "not-a-token"}):
            with self.subTest(params=params):
                reply = self.signed("eks", REGION, "GET", path, params)
                self.check_error("eks", "ListPodIdentityAssociations", reply,
                                 400, "InvalidParameterException")

    def test_create_update_delete_strict(self):
        path = COLLECTION % "pods"
        reply = self.post_json(path, {
            "namespace": "apps", "serviceAccount": "nothing",
            "roleArn": role("pod-writer"), "tags": {"owner": "test"},
            "clientRequestToken": str(uuid.uuid4())})
        created = self.check_json_reply("CreatePodIdentityAssociation",
                                        reply)["association"]
        self.assertEqual(created["roleArn"], role("pod-writer"))
        self.assertEqual(created["tags"], {"owner": "test"})
        item = path + "/" + created["associationId"]
        reply = self.post_json(item, {"roleArn": role("pod-reader")})
        updated = self.check_json_reply("UpdatePodIdentityAssociation",
                                        reply)["association"]
        self.assertEqual(updated["roleArn"], role("pod-reader"))
        self.assertEqual(updated["associationId"], created["associationId"])
        reply = self.signed("eks", REGION, "DELETE", item)
        deleted = self.check_json_reply("DeletePodIdentityAssociation",
                                        reply)["association"]
        self.assertEqual(deleted["associationId"], created["associationId"])
        reply = self.signed("eks", REGION, "GET", item)
        self.check_error("eks", "DescribePodIdentityAssociation", reply, 404,
                         "ResourceNotFoundException")

    def test_second_association_in_use(self):
        res = self.sb.aws("eks", "create-pod-identity-association",
                          "--cluster-name", "pods", "--namespace", "apps",
                          "--service-account", "pod-only", "--role-arn",
                          role("pod-writer"), check=False)
        self.assertNotEqual(res.returncode, 0)
        self.assertIn("ResourceInUseException", res.stderr)
        self.assertIn("Association already exists: a-0000000000000pod1",
                      res.stderr)

    def test_retried_create_returns_same(self):
        body = {"namespace": "retry", "serviceAccount": "once",
                "roleArn": role("pod-reader"),
                "clientRequestToken": str(uuid.uuid4())}
        path = COLLECTION % "pods"
        first = self.check_json_reply("CreatePodIdentityAssociation",
                                      self.post_json(path, body))
        again = self.check_json_reply("CreatePodIdentityAssociation",
                                      self.post_json(path, body))
        self.assertEqual(first["association"]["associationId"],
                         again["association"]["associationId"])
        body["clientRequestToken"] = str(uuid.uuid4())
        self.check_error("eks", "CreatePodIdentityAssociation",
                         self.post_json(path, body), 409,
                         "ResourceInUseException")
        self.signed("eks", REGION, "DELETE",
                    path + "/" + first["association"]["associationId"])

    def test_create_errors(self):
        cases = [
            ("pods", {"namespace": "apps", "serviceAccount": "x",
                      "roleArn": role("no-such-role")}, 400,
             "InvalidParameterException",
             "Role provided in the request does not exist"),
            ("pods", {"namespace": "apps", "serviceAccount": "x",
                      "roleArn": role("pod-no-tag-session")}, 400,
             "InvalidParameterException",
             "Trust policy of the role provided is invalid."),
            ("pods", {"namespace": "apps", "serviceAccount": "x",
                      "roleArn": role("irsa-reader")}, 400,
             "InvalidParameterException",
             "Trust policy of the role provided is invalid."),
            ("pods", {"namespace": "apps", "roleArn": role("pod-reader")},
             400, "InvalidParameterException", "serviceAccount"),
            ("nope", {"namespace": "apps", "serviceAccount": "x",
                      "roleArn": role("pod-reader")}, 404,
             "ResourceNotFoundException", "No cluster found for name: nope."),
        ]
        for cluster, body, status, code, message in cases:
            with self.subTest(body=body, cluster=cluster):
                reply = self.post_json(COLLECTION % cluster, body)
                got = self.check_error("eks", "CreatePodIdentityAssociation",
                                       reply, status, code)
                self.assertIn(message, got)

    def test_describe_errors(self):
        res = self.sb.aws("eks", "describe-pod-identity-association",
                          "--cluster-name", "pods", "--association-id", "a-1",
                          check=False)
        self.assertIn("InvalidParameterException", res.stderr)
        self.assertIn("should be 19 characters long", res.stderr)
        res = self.sb.aws("eks", "describe-pod-identity-association",
                          "--cluster-name", "pods", "--association-id",
                          "a-00000000000000000", check=False)
        self.assertIn("ResourceNotFoundException", res.stderr)
        res = self.sb.aws("eks", "delete-pod-identity-association",
                          "--cluster-name", "pods", "--association-id",
                          "a-00000000000000000", check=False)
        self.assertIn("ResourceNotFoundException", res.stderr)


class AlbatrossCommands(PodIdentityBase):
    """albatross's commands, with the aws CLI as the oracle."""

    def cli_describe_all(self, cluster, **filters):
        args = ["list-pod-identity-associations", "--cluster-name", cluster]
        for key, value in filters.items():
            args += ["--" + key.replace("_", "-"), value]
        out = {}
        for summary in self.cli_json(*args)["associations"]:
            a = self.cli_json("describe-pod-identity-association",
                              "--cluster-name", cluster, "--association-id",
                              summary["associationId"])["association"]
            out[a["associationId"]] = a
        return out

    def test_get_matches_aws_cli(self):
        res = self.sb.albatross("get", "podidentityassociations", "--cluster",
                                "pods", "-o", "json")
        items = json.loads(res.stdout)["items"]
        oracle = self.cli_describe_all("pods")
        self.assertEqual({i["associationId"] for i in items}, set(oracle))
        for item in items:
            a = oracle[item["associationId"]]
            self.assertEqual(item["namespace"], a["namespace"])
            self.assertEqual(item["serviceAccount"], a["serviceAccount"])
            self.assertEqual(item["roleArn"], a["roleArn"])
            self.assertEqual(item["associationArn"], a["associationArn"])
            self.assertEqual(item["cluster"], "pods")
        keys = [(i["namespace"], i["serviceAccount"]) for i in items]
        self.assertEqual(keys, sorted(keys))

    def test_get_filters_and_table(self):
        res = self.sb.albatross("get", "pia", "--cluster", "pods", "-n",
                                "batch", "-o", "yaml")
        items = yaml.safe_load(res.stdout)["items"]
        self.assertEqual([i["serviceAccount"] for i in items], ["ghost"])
        res = self.sb.albatross("get", "pia", "--cluster", "pods")
        lines = res.stdout.splitlines()
        self.assertRegex(lines[0], r"^NAMESPACE\s+SERVICE ACCOUNT\s+ROLE ARN")
        self.assertEqual(len(lines), 1 + len(self.world_associations()))

    def test_get_pages_through_many(self):
        path = COLLECTION % "empty"
        made = []
        for i in range(205):
            reply = self.post_json(path, {
                "namespace": "many", "serviceAccount": "sa-%03d" % i,
                "roleArn": role("pod-reader")})
            self.assertEqual(reply.status, 200, reply.body)
            made.append(json.loads(reply.body)["association"]["associationId"])
        try:
            res, log = self.albatross_new_requests(
                "get", "pia", "--cluster", "empty", "-o", "json")
            self.assertEqual(res.returncode, 0, res.stderr)
            items = json.loads(res.stdout)["items"]
            self.assertEqual(sorted(i["associationId"] for i in items),
                             sorted(made))
            pages = [p for m, p in eks_requests(log)
                     if m == "GET" and p == path]
            self.assertEqual(len(pages), 3)
        finally:
            for id_ in made:
                self.signed("eks", REGION, "DELETE", path + "/" + id_)

    def test_create_and_delete(self):
        res = self.sb.albatross("create", "podidentityassociation", "--cluster",
                                "pods", "--namespace", "apps",
                                "--service-account", "nothing", "--role-arn",
                                role("pod-writer"))
        self.assertIn("created: apps/nothing -> %s" % role("pod-writer"),
                      res.stdout)
        listed = self.cli_describe_all("pods", namespace="apps",
                                       service_account="nothing")
        self.assertEqual([a["roleArn"] for a in listed.values()],
                         [role("pod-writer")])
        res = self.sb.albatross("delete", "pia", "--cluster", "pods",
                                "--namespace", "apps", "--service-account",
                                "nothing")
        self.assertIn("deleted", res.stdout)
        self.assertEqual(self.cli_describe_all("pods", namespace="apps",
                                               service_account="nothing"), {})

    def test_create_errors_name_fix(self):
        res = self.sb.albatross("create", "pia", "--cluster", "pods", "-n",
                                "apps", "--service-account", "pod-only",
                                "--role-arn", role("pod-writer"), check=False)
        self.assertEqual(res.returncode, 1)
        self.assertIn("ResourceInUseException", res.stderr)
        self.assertIn("delete it first", res.stderr)
        res = self.sb.albatross("create", "pia", "--cluster", "pods", "-n",
                                "apps", "--service-account", "x",
                                "--role-arn", role("pod-no-tag-session"),
                                check=False)
        self.assertEqual(res.returncode, 1)
        self.assertIn("sts:TagSession", res.stderr)
        res = self.sb.albatross("delete", "pia", "--cluster", "pods", "-n",
                                "apps", "--service-account", "nothing",
                                check=False)
        self.assertEqual(res.returncode, 1)
        self.assertIn("ResourceNotFoundException", res.stderr)

    def test_usage_errors(self):
        cases = [
            ("create", "pia", "--cluster", "pods", "-n", "apps",
             "--service-account", "x"),
            ("create", "pia", "--cluster", "pods", "-n", "apps",
             "--service-account", "x", "--role-arn", "pod-writer"),
            ("delete", "pia", "--cluster", "pods", "-n", "apps"),
            ("get", "pia"),
            ("get", "pia", "--cluster", "pods", "-n", "Bad_NS"),
        ]
        for args in cases:
            with self.subTest(args=args):
                res, log = self.albatross_new_requests(*args)
                self.assertEqual(res.returncode, 2, res.stderr)
                self.assertIn("--help", res.stderr)
                self.assertEqual(eks_requests(log), [])

    def test_dry_run_sends_no_change(self):
        res, log = self.albatross_new_requests(
            "create", "pia", "--cluster", "pods", "-n", "apps",
            "--service-account", "nothing", "--role-arn", role("pod-writer"),
            "--dry-run")
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertIn("POST /clusters/pods/pod-identity-associations",
                      res.stdout)
        body = json.loads(res.stdout.splitlines()[2])
        self.assertEqual(body["roleArn"], role("pod-writer"))
        self.assertEqual(body["serviceAccount"], "nothing")
        self.assertEqual(eks_requests(log), [])
        res, log = self.albatross_new_requests(
            "delete", "pia", "--cluster", "pods", "-n", "apps",
            "--service-account", "pod-only", "--dry-run")
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertIn("DELETE /clusters/pods/pod-identity-associations/"
                      "a-0000000000000pod1", res.stdout)
        self.assertEqual([m for m, _ in eks_requests(log)],
                         ["GET"] * len(eks_requests(log)))
        self.assertTrue(eks_requests(log))

    def test_readonly_sends_nothing(self):
        commands = [
            ("create", "pia", "--cluster", "pods", "-n", "apps",
             "--service-account", "nothing", "--role-arn",
             role("pod-writer")),
            ("delete", "pia", "--cluster", "pods", "-n", "apps",
             "--service-account", "pod-only"),
        ]
        for args in commands:
            with self.subTest(verb=args[0]):
                res, log = self.albatross_new_requests("--readonly", *args)
                self.assertEqual(res.returncode, 1, res.stdout)
                self.assertIn("ReadOnly", res.stderr)
                self.assertIn("--readonly", res.stderr)
                self.assertEqual(eks_requests(log), [])
        still = self.cli_describe_all("pods", namespace="apps",
                                      service_account="pod-only")
        self.assertEqual(list(still), ["a-0000000000000pod1"])


class ServiceAccountJoin(PodIdentityBase):
    """get serviceaccounts: the association joined to each account."""

    def test_identity_of_each_account(self):
        res = self.sb.albatross("get", "serviceaccounts", "--cluster", "pods",
                                "-o", "json")
        items = {i["name"]: i for i in json.loads(res.stdout)["items"]}
        want = {
            "irsa-only": ("irsa", None, "none"),
            "pod-only": ("pod-identity", role("pod-reader"), "ok"),
            "same-role": ("both", role("pod-reader"), "ok"),
            "conflict": ("conflict", role("pod-writer"), "ok"),
            "untrusted": ("pod-identity", role("irsa-reader"), "not trusted"),
            "nothing": ("none", None, "none"),
        }
        for name, (identity, pod_role, status) in want.items():
            with self.subTest(name=name):
                item = items[name]
                self.assertEqual(item["identity"], identity)
                self.assertEqual(item["podIdentityRoleArn"], pod_role)
                self.assertEqual(item["podIdentityStatus"], status)
        self.assertIn("pods.eks.amazonaws.com",
                      items["untrusted"]["podIdentityReason"])
        self.assertEqual(items["pod-only"]["podIdentityAssociationId"],
                         "a-0000000000000pod1")

    def service_accounts(self, cluster):
        """get sa -o json by name, and the sandbox log of the command."""
        res, log = self.albatross_new_requests("get", "sa", "--cluster", cluster,
                                               "-o", "json")
        self.assertEqual(res.returncode, 0, res.stderr)
        return {i["name"]: i for i in json.loads(res.stdout)["items"]}, log

    def test_missing_agent_reported(self):
        agent = "/clusters/pods/addons/eks-pod-identity-agent"
        items, log = self.service_accounts("pods")
        self.assertIn("GET /clusters/pods/addons", log)
        self.assertIsNone(items["pod-only"]["podIdentityReason"])
        reply = self.signed("eks", REGION, "DELETE", agent)
        self.assertEqual(reply.status, 200, reply.body)
        try:
            items, _ = self.service_accounts("pods")
        finally:
            self.post_json("/clusters/pods/addons",
                           {"addonName": "eks-pod-identity-agent"})
        reason = items["pod-only"]["podIdentityReason"]
        self.assertIn("cluster pods has no eks-pod-identity-agent add-on", reason)
        self.assertIn("a-0000000000000pod1", reason)
        self.assertEqual(items["pod-only"]["podIdentityStatus"], "ok")
        self.assertIn("pods.eks.amazonaws.com",
                      items["untrusted"]["podIdentityReason"])
        self.assertIsNone(items["nothing"]["podIdentityReason"])

    def test_no_addon_listing_without_associations(self):
        _, log = self.service_accounts("empty")
        self.assertIn("/clusters/empty/pod-identity-associations", log)
        self.assertNotIn("/clusters/empty/addons", log)

    def test_association_role_follows_update(self):
        pod_only = "a-0000000000000pod1"
        path = COLLECTION % "pods" + "/" + pod_only
        reply = self.post_json(path, {"roleArn": role("pod-writer")})
        self.assertEqual(reply.status, 200, reply.body)
        try:
            res = self.sb.albatross("get", "sa", "--cluster", "pods", "-n",
                                    "apps", "-o", "json")
            items = {i["name"]: i for i in json.loads(res.stdout)["items"]}
            self.assertEqual(items["pod-only"]["podIdentityRoleArn"],
                             role("pod-writer"))
        finally:
            self.post_json(path, {"roleArn": role("pod-reader")})

    def test_table_has_identity_column(self):
        res = self.sb.albatross("get", "sa", "--cluster", "pods")
        lines = res.stdout.splitlines()
        self.assertIn("IDENTITY", lines[0])
        conflict = next(l for l in lines if re.search(r"\sconflict\s", l))
        self.assertRegex(conflict, r"\sconflict\s+pods$")


if __name__ == "__main__":
    unittest.main()
