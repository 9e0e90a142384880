"""EKS add-ons in the sandbox: ListAddons, DescribeAddon, CreateAddon and
DeleteAddon judged by botocore's parser and output shapes and by the aws
CLI. Expected values come from tests/worlds/pod-identity.yaml, whose
cluster pods has the add-ons eks-pod-identity-agent and vpc-cni and
whose cluster empty has none."""

import json
import time
import unittest
import uuid

from test_pod_identity import ACCOUNT, REGION, PodIdentityBase

AGENT = "eks-pod-identity-agent"
COLLECTION = "/clusters/%s/addons"


class AddonCalls(PodIdentityBase):
    """The add-on calls on the pod-identity world, whose sandbox and
    signed POST come from PodIdentityBase."""

    def describe(self, cluster, name):
        reply = self.signed("eks", REGION, "GET", COLLECTION % cluster + "/" + name)
        return self.check_json_reply("DescribeAddon", reply)["addon"]

    def delete(self, cluster, name):
        reply = self.signed("eks", REGION, "DELETE", COLLECTION % cluster + "/" + name)
        return self.check_json_reply("DeleteAddon", reply)["addon"]

    def test_list_matches_world(self):
        reply = self.signed("eks", REGION, "GET", COLLECTION % "pods")
        self.assertEqual(self.check_json_reply("ListAddons", reply)["addons"],
                         [AGENT, "vpc-cni"])
        reply = self.signed("eks", REGION, "GET", COLLECTION % "empty")
        self.assertEqual(self.check_json_reply("ListAddons", reply)["addons"], [])

    def test_list_pages(self):
        reply = self.signed("eks", REGION, "GET", COLLECTION % "pods",
                            {"maxResults": "1"})
        first = self.check_json_reply("ListAddons", reply)
        self.assertEqual(first["addons"], [AGENT])
        reply = self.signed("eks", REGION, "GET", COLLECTION % "pods",
                            {"maxResults": "1", "nextToken": first["nextToken"]})
        second = self.check_json_reply("ListAddons", reply)
        self.assertEqual(second["addons"], ["vpc-cni"])
        self.assertNotIn("nextToken", second)

    def test_describe_world_addon(self):
        addon = self.describe("pods", AGENT)
        self.assertEqual(addon["addonName"], AGENT)
        self.assertEqual(addon["clusterName"], "pods")
        self.assertEqual(addon["status"], "ACTIVE")
        self.assertEqual(addon["addonVersion"], "v1.3.4-eksbuild.1")
        self.assertEqual(addon["health"], {"issues": []})
        self.assertRegex(addon["addonArn"],
                         r"^arn:aws:eks:us-east-2:%s:addon/pods/%s/"
                         r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-"
                         r"[0-9a-f]{12}$" % (ACCOUNT, AGENT))
        self.assertEqual(addon["createdAt"].isoformat(), "2024-06-01T11:00:00+00:00")
        self.assertRegex(self.describe("pods", "vpc-cni")["addonVersion"],
                         r"^v\d+\.\d+\.\d+-eksbuild\.\d+$")

    def test_create_describe_delete(self):
        path = COLLECTION % "empty"
        reply = self.post_json(path, {"addonName": AGENT,
                                      "addonVersion": "v1.3.0-eksbuild.1",
                                      "tags": {"owner": "test"},
                                      "clientRequestToken": str(uuid.uuid4())})
        created = self.check_json_reply("CreateAddon", reply)["addon"]
        self.assertEqual(created["status"], "CREATING")
        self.assertEqual(created["addonVersion"], "v1.3.0-eksbuild.1")
        self.assertEqual(created["tags"], {"owner": "test"})
        deadline = time.monotonic() + 20
        while self.describe("empty", AGENT)["status"] == "CREATING":
            self.assertLess(time.monotonic(), deadline, "still CREATING")
            time.sleep(0.2)
        self.assertEqual(self.describe("empty", AGENT)["status"], "ACTIVE")
        deleted = self.delete("empty", AGENT)
        self.assertEqual(deleted["status"], "DELETING")
        self.assertEqual(deleted["addonArn"], created["addonArn"])
        reply = self.signed("eks", REGION, "GET", path + "/" + AGENT)
        message = self.check_error("eks", "DescribeAddon", reply, 404,
                                   "ResourceNotFoundException")
        self.assertEqual(message, "No addon: %s found in cluster: empty" % AGENT)

    def test_retried_create_returns_same(self):
        body = {"addonName": "coredns", "clientRequestToken": str(uuid.uuid4())}
        path = COLLECTION % "empty"
        first = self.check_json_reply("CreateAddon", self.post_json(path, body))
        again = self.check_json_reply("CreateAddon", self.post_json(path, body))
        self.assertEqual(first["addon"]["addonArn"], again["addon"]["addonArn"])
        body["clientRequestToken"] = str(uuid.uuid4())
        message = self.check_error("eks", "CreateAddon", self.post_json(path, body),
                                   409, "ResourceInUseException")
        self.assertEqual(message, "Addon already exists.")
        self.delete("empty", "coredns")

    def test_create_errors(self):
        cases = [
            ("pods", {"addonName": AGENT}, 409, "ResourceInUseException",
             "Addon already exists."),
            ("empty", {"addonName": "no-such-addon"}, 400,
             "InvalidParameterException",
             "Addon no-such-addon specified is not supported"),
            ("empty", {"addonName": AGENT, "addonVersion": "1.3.4"}, 400,
             "InvalidParameterException", "Addon version 1.3.4 specified is "
             "not supported"),
            ("empty", {"addonName": AGENT, "resolveConflicts": "ALWAYS"}, 400,
             "InvalidParameterException", "resolveConflicts"),
            ("empty", {"addonVersion": "v1.3.4-eksbuild.1"}, 400,
             "InvalidParameterException", "addonName"),
            ("nope", {"addonName": AGENT}, 404, "ResourceNotFoundException",
             "No cluster found for name: nope."),
        ]
        for cluster, body, status, code, message in cases:
            with self.subTest(body=body, cluster=cluster):
                reply = self.post_json(COLLECTION % cluster, body)
                got = self.check_error("eks", "CreateAddon", reply, status, code)
                self.assertIn(message, got)
        reply = self.signed("eks", REGION, "GET", COLLECTION % "empty")
        self.assertEqual(self.check_json_reply("ListAddons", reply)["addons"], [])

    def test_describe_and_delete_missing(self):
        for method, operation in (("GET", "DescribeAddon"), ("DELETE", "DeleteAddon")):
            with self.subTest(operation=operation):
                reply = self.signed("eks", REGION, method,
                                    COLLECTION % "empty" + "/" + AGENT)
                self.check_error("eks", operation, reply, 404,
                                 "ResourceNotFoundException")
        reply = self.signed("eks", REGION, "GET", COLLECTION % "nope")
        self.check_error("eks", "ListAddons", reply, 404, "ResourceNotFoundException")

    def test_aws_cli_round_trip(self):
        res = self.sb.aws("eks", "create-addon", "--cluster-name", "empty",
                          "--addon-name", "kube-proxy")
        self.assertEqual(json.loads(res.stdout)["addon"]["addonName"], "kube-proxy")
        listed = json.loads(self.sb.aws("eks", "list-addons", "--cluster-name",
                                        "empty").stdout)
        self.assertEqual(listed["addons"], ["kube-proxy"])
        res = self.sb.aws("eks", "create-addon", "--cluster-name", "empty",
                          "--addon-name", "kube-proxy", check=False)
        self.assertNotEqual(res.returncode, 0)
        self.assertIn("ResourceInUseException", res.stderr)
        self.sb.aws("eks", "delete-addon", "--cluster-name", "empty",
                    "--addon-name", "kube-proxy")
        res = self.sb.aws("eks", "describe-addon", "--cluster-name", "empty",
                          "--addon-name", "kube-proxy", check=False)
        self.assertNotEqual(res.returncode, 0)
        self.assertIn("ResourceNotFoundException", res.stderr)


if __name__ == "__main__":
    unittest.main()
