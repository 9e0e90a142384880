"""The sandbox's IAM write actions: roles, policies, OIDC providers.

The aws CLI drives each action as a user would, and every reply is also
sent by hand and judged strictly by botocheck (botocore's parser and the
operation's output shape). Each test uses its own names, so the tests
share one sandbox on the demo world.
"""

import json
import os
import ssl
import unittest
import urllib.parse
import xml.etree.ElementTree as ET

import sandbox
from botocheck import XMLNS, AwsChecks, local
from sandbox import Sandbox

DEMO = os.path.join(sandbox.WORLDS, "demo.yaml")
ACCOUNT = "111122223333"
ISSUER = "oidc.eks.us-east-2.amazonaws.com/id/9B2471C9D67EF4BEE86F463AAEEFD5A5"
PROVIDER = "arn:aws:iam::%s:oidc-provider/%s" % (ACCOUNT, ISSUER)


def trust(namespace, name, provider=PROVIDER, issuer=ISSUER):
    """The IRSA trust policy of one service account."""
    return json.dumps({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"Federated": provider},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringEquals": {
                issuer + ":sub": "system:serviceaccount:%s:%s" % (namespace, name),
                issuer + ":aud": "sts.amazonaws.com"}},
        }],
    })


PERMISSIONS = json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject"],
                   "Resource": "arn:aws:s3:::bucket/*"}],
})


class SandboxIamWriteTest(AwsChecks, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.sb = Sandbox(world=DEMO).start()
        env = cls.sb.env
        cls.endpoint = env["AWS_ENDPOINT_URL"]
        cls.host = urllib.parse.urlsplit(cls.endpoint).netloc
        cls.tls = ssl.create_default_context(cafile=env["AWS_CA_BUNDLE"])
        cls.key = env["AWS_ACCESS_KEY_ID"]
        cls.secret = env["AWS_SECRET_ACCESS_KEY"]

    @classmethod
    def tearDownClass(cls):
        cls.sb.stop()

    def iam(self, action, params=None):
        return self.query("iam", action, params)

    def check_empty_reply(self, action, reply):
        """A reply of an action without output: the response element with
        ResponseMetadata only, as IAM sends it."""
        self.assertEqual(reply.status, 200, reply.body)
        root = ET.fromstring(reply.body)
        ns = XMLNS["iam"]
        self.assertEqual(root.tag, "{%s}%sResponse" % (ns, action))
        self.assertEqual([local(c.tag) for c in root], ["ResponseMetadata"])
        self.assertTrue(root.find("{%s}ResponseMetadata/{%s}RequestId" % (ns, ns)).text)
        parsed = self.parse("iam", action, reply)
        self.assertNotIn("Error", parsed)

    def cli_error(self, *args):
        """Runs the aws CLI, expecting a service error; returns stderr."""
        res = self.sb.aws(*args, check=False)
        self.assertNotEqual(res.returncode, 0, res.stdout)
        return res.stderr

    def create_policy(self, name):
        parsed = self.check_query_reply("iam", "CreatePolicy", self.iam("CreatePolicy", {
            "PolicyName": name, "PolicyDocument": PERMISSIONS}))
        return parsed["Policy"]["Arn"]

    # --- the aws CLI ---------------------------------------------------

    def test_cli_role_lifecycle(self):
        out = json.loads(self.sb.aws(
            "iam", "create-role", "--role-name", "cli-app", "--path", "/irsa/",
            "--description", "app role",
            "--assume-role-policy-document", trust("default", "app"),
            "--tags", "Key=team,Value=payments").stdout)["Role"]
        self.assertEqual(out["Arn"], "arn:aws:iam::%s:role/irsa/cli-app" % ACCOUNT)
        self.assertTrue(out["RoleId"].startswith("AROA"))
        self.assertEqual(out["Tags"], [{"Key": "team", "Value": "payments"}])
        got = json.loads(self.sb.aws("iam", "get-role", "--role-name", "cli-app").stdout)["Role"]
        self.assertEqual(got["AssumeRolePolicyDocument"], json.loads(trust("default", "app")))
        self.assertEqual(got["Description"], "app role")

        arn = json.loads(self.sb.aws(
            "iam", "create-policy", "--policy-name", "cli-app-s3",
            "--policy-document", PERMISSIONS).stdout)["Policy"]["Arn"]
        self.sb.aws("iam", "attach-role-policy", "--role-name", "cli-app", "--policy-arn", arn)
        self.sb.aws("iam", "put-role-policy", "--role-name", "cli-app",
                    "--policy-name", "inline", "--policy-document", PERMISSIONS)
        attached = json.loads(self.sb.aws(
            "iam", "list-attached-role-policies", "--role-name", "cli-app").stdout)
        self.assertEqual([p["PolicyArn"] for p in attached["AttachedPolicies"]], [arn])
        self.assertIn("DeleteConflict", self.cli_error("iam", "delete-role", "--role-name", "cli-app"))
        self.assertIn("DeleteConflict", self.cli_error("iam", "delete-policy", "--policy-arn", arn))

        self.sb.aws("iam", "detach-role-policy", "--role-name", "cli-app", "--policy-arn", arn)
        self.sb.aws("iam", "delete-role-policy", "--role-name", "cli-app", "--policy-name", "inline")
        self.sb.aws("iam", "delete-role", "--role-name", "cli-app")
        self.sb.aws("iam", "delete-policy", "--policy-arn", arn)
        self.assertIn("NoSuchEntity", self.cli_error("iam", "get-role", "--role-name", "cli-app"))
        self.assertIn("NoSuchEntity", self.cli_error("iam", "get-policy", "--policy-arn", arn))

    def test_cli_trust_policy_update(self):
        self.sb.aws("iam", "create-role", "--role-name", "cli-trust",
                    "--assume-role-policy-document", trust("default", "a"))
        self.sb.aws("iam", "update-assume-role-policy", "--role-name", "cli-trust",
                    "--policy-document", trust("web", "b"))
        self.sb.aws("iam", "tag-role", "--role-name", "cli-trust", "--tags", "Key=k,Value=v")
        got = json.loads(self.sb.aws("iam", "get-role", "--role-name", "cli-trust").stdout)["Role"]
        self.assertEqual(got["AssumeRolePolicyDocument"], json.loads(trust("web", "b")))
        self.assertEqual(got["Tags"], [{"Key": "k", "Value": "v"}])
        err = self.cli_error("iam", "update-assume-role-policy", "--role-name", "cli-trust",
                             "--policy-document", PERMISSIONS)
        self.assertIn("MalformedPolicyDocument", err)
        self.assertIn("Has prohibited field Resource", err)

    def test_cli_oidc_provider(self):
        out = json.loads(self.sb.aws(
            "iam", "create-open-id-connect-provider", "--url", "https://idp.example/id/CLI",
            "--client-id-list", "sts.amazonaws.com",
            "--thumbprint-list", "9e99a48a9960b14926bb7f3b02e22da2b0ab7280").stdout)
        arn = out["OpenIDConnectProviderArn"]
        self.assertEqual(arn, "arn:aws:iam::%s:oidc-provider/idp.example/id/CLI" % ACCOUNT)
        self.sb.aws("iam", "tag-open-id-connect-provider", "--open-id-connect-provider-arn", arn,
                    "--tags", "Key=alpha.eksctl.io/cluster-name,Value=demo")
        got = json.loads(self.sb.aws("iam", "get-open-id-connect-provider",
                                     "--open-id-connect-provider-arn", arn).stdout)
        self.assertEqual(got["ThumbprintList"], ["9e99a48a9960b14926bb7f3b02e22da2b0ab7280"])
        self.assertEqual(got["ClientIDList"], ["sts.amazonaws.com"])
        self.assertEqual(got["Tags"], [{"Key": "alpha.eksctl.io/cluster-name", "Value": "demo"}])
        err = self.cli_error("iam", "create-open-id-connect-provider", "--url",
                             "https://idp.example/id/CLI", "--thumbprint-list",
                             "9e99a48a9960b14926bb7f3b02e22da2b0ab7280")
        self.assertIn("EntityAlreadyExists", err)
        self.sb.aws("iam", "delete-open-id-connect-provider", "--open-id-connect-provider-arn", arn)
        listed = json.loads(self.sb.aws("iam", "list-open-id-connect-providers").stdout)
        self.assertNotIn(arn, [p["Arn"] for p in listed["OpenIDConnectProviderList"]])

    def test_cli_lists_policy_entities(self):
        arn = self.create_policy("cli-entities")
        names = ["cli-entities-%d" % i for i in range(3)]
        for name in names:
            self.sb.aws("iam", "create-role", "--role-name", name,
                        "--assume-role-policy-document", trust("ns", name))
            self.sb.aws("iam", "attach-role-policy", "--role-name", name, "--policy-arn", arn)
        # The CLI follows Marker from page to page itself.
        out = json.loads(self.sb.aws("iam", "list-entities-for-policy", "--policy-arn", arn,
                                     "--page-size", "2").stdout)
        self.assertEqual([r["RoleName"] for r in out["PolicyRoles"]], names)
        versions = json.loads(self.sb.aws("iam", "list-policy-versions", "--policy-arn",
                                          arn).stdout)["Versions"]
        self.assertEqual([(v["VersionId"], v["IsDefaultVersion"]) for v in versions],
                         [("v1", True)])

    # --- botocore's parser and output shapes ---------------------------

    def test_create_role_reply_shape(self):
        params = {"RoleName": "shape-role", "AssumeRolePolicyDocument": trust("ns", "sa"),
                  "Description": "d", "MaxSessionDuration": "7200",
                  "Tags.member.1.Key": "a", "Tags.member.1.Value": "b"}
        parsed = self.check_query_reply("iam", "CreateRole", self.iam("CreateRole", params))
        role = parsed["Role"]
        self.assertEqual(role["RoleName"], "shape-role")
        self.assertEqual(role["MaxSessionDuration"], 7200)
        self.assertEqual(role["AssumeRolePolicyDocument"], json.loads(trust("ns", "sa")))
        self.assertEqual(role["Tags"], [{"Key": "a", "Value": "b"}])
        for action, extra in (("UpdateAssumeRolePolicy", {"PolicyDocument": trust("ns", "other")}),
                              ("TagRole", {"Tags.member.1.Key": "c", "Tags.member.1.Value": "d"}),
                              ("PutRolePolicy", {"PolicyName": "p", "PolicyDocument": PERMISSIONS}),
                              ("DeleteRolePolicy", {"PolicyName": "p"}),
                              ("DeleteRole", {})):
            params = {"RoleName": "shape-role"}
            params.update(extra)
            self.check_empty_reply(action, self.iam(action, params))

    def test_policy_reply_shapes(self):
        parsed = self.check_query_reply("iam", "CreatePolicy", self.iam("CreatePolicy", {
            "PolicyName": "shape-policy", "Path": "/team/", "Description": "reads",
            "PolicyDocument": PERMISSIONS,
            "Tags.member.1.Key": "owner", "Tags.member.1.Value": "x"}))
        policy = parsed["Policy"]
        arn = policy["Arn"]
        self.assertEqual(arn, "arn:aws:iam::%s:policy/team/shape-policy" % ACCOUNT)
        self.assertEqual(policy["DefaultVersionId"], "v1")
        self.assertEqual(policy["AttachmentCount"], 0)
        self.assertEqual(policy["Tags"], [{"Key": "owner", "Value": "x"}])
        versions = self.check_query_reply("iam", "ListPolicyVersions",
                                          self.iam("ListPolicyVersions", {"PolicyArn": arn}))
        self.assertEqual([v["VersionId"] for v in versions["Versions"]], ["v1"])
        self.assertTrue(versions["Versions"][0]["IsDefaultVersion"])
        self.assertFalse(versions["IsTruncated"])
        doc = self.check_query_reply("iam", "GetPolicyVersion", self.iam(
            "GetPolicyVersion", {"PolicyArn": arn, "VersionId": "v1"}))
        self.assertEqual(doc["PolicyVersion"]["Document"], json.loads(PERMISSIONS))
        self.check_query_reply("iam", "CreateRole", self.iam("CreateRole", {
            "RoleName": "shape-user", "AssumeRolePolicyDocument": trust("ns", "u")}))
        self.check_empty_reply("AttachRolePolicy", self.iam(
            "AttachRolePolicy", {"RoleName": "shape-user", "PolicyArn": arn}))
        got = self.check_query_reply("iam", "GetPolicy", self.iam("GetPolicy", {"PolicyArn": arn}))
        self.assertEqual(got["Policy"]["AttachmentCount"], 1)
        self.check_empty_reply("DetachRolePolicy", self.iam(
            "DetachRolePolicy", {"RoleName": "shape-user", "PolicyArn": arn}))
        self.check_empty_reply("DeletePolicy", self.iam("DeletePolicy", {"PolicyArn": arn}))

    def test_oidc_reply_shapes(self):
        params = {"Url": "https://idp.example/id/SHAPE",
                  "ClientIDList.member.1": "sts.amazonaws.com",
                  "ClientIDList.member.2": "other",
                  "ThumbprintList.member.1": "a" * 40,
                  "Tags.member.1.Key": "k", "Tags.member.1.Value": "v"}
        parsed = self.check_query_reply("iam", "CreateOpenIDConnectProvider",
                                        self.iam("CreateOpenIDConnectProvider", params))
        arn = parsed["OpenIDConnectProviderArn"]
        self.assertEqual(parsed["Tags"], [{"Key": "k", "Value": "v"}])
        got = self.check_query_reply("iam", "GetOpenIDConnectProvider", self.iam(
            "GetOpenIDConnectProvider", {"OpenIDConnectProviderArn": arn}))
        self.assertEqual(got["ClientIDList"], ["sts.amazonaws.com", "other"])
        self.assertEqual(got["ThumbprintList"], ["a" * 40])
        self.check_empty_reply("TagOpenIDConnectProvider", self.iam("TagOpenIDConnectProvider", {
            "OpenIDConnectProviderArn": arn, "Tags.member.1.Key": "k2", "Tags.member.1.Value": "v"}))
        self.check_empty_reply("DeleteOpenIDConnectProvider", self.iam(
            "DeleteOpenIDConnectProvider", {"OpenIDConnectProviderArn": arn}))
        reply = self.iam("GetOpenIDConnectProvider", {"OpenIDConnectProviderArn": arn})
        self.check_error("iam", "GetOpenIDConnectProvider", reply, 404, "NoSuchEntity")

    def test_list_entities_for_policy_pages(self):
        arn = self.create_policy("entities-policy")
        names = ["entities-%d" % i for i in range(3)]
        for name in names:
            self.check_query_reply("iam", "CreateRole", self.iam("CreateRole", {
                "RoleName": name, "AssumeRolePolicyDocument": trust("ns", name)}))
            self.check_empty_reply("AttachRolePolicy", self.iam(
                "AttachRolePolicy", {"RoleName": name, "PolicyArn": arn}))
        seen, marker = [], None
        for _ in range(3):
            params = {"PolicyArn": arn, "MaxItems": "2"}
            if marker:
                params["Marker"] = marker
            page = self.check_query_reply("iam", "ListEntitiesForPolicy",
                                          self.iam("ListEntitiesForPolicy", params))
            self.assertEqual(page["PolicyUsers"], [])
            self.assertEqual(page["PolicyGroups"], [])
            seen += [r["RoleName"] for r in page["PolicyRoles"]]
            for r in page["PolicyRoles"]:
                self.assertTrue(r["RoleId"].startswith("AROA"))
            if not page["IsTruncated"]:
                break
            marker = page["Marker"]
        self.assertEqual(seen, names)
        users = self.check_query_reply("iam", "ListEntitiesForPolicy", self.iam(
            "ListEntitiesForPolicy", {"PolicyArn": arn, "EntityFilter": "User"}))
        self.assertEqual(users["PolicyRoles"], [])
        reply = self.iam("ListEntitiesForPolicy", {"PolicyArn": arn, "EntityFilter": "Robot"})
        self.check_error("iam", "ListEntitiesForPolicy", reply, 400, "ValidationError")

    # --- IAM's errors --------------------------------------------------

    def test_errors_codes_and_messages(self):
        self.check_query_reply("iam", "CreateRole", self.iam("CreateRole", {
            "RoleName": "err-role", "AssumeRolePolicyDocument": trust("ns", "sa")}))
        cases = [
            ("CreateRole", {"RoleName": "ERR-ROLE", "AssumeRolePolicyDocument": trust("ns", "sa")},
             409, "EntityAlreadyExists", "Role with name ERR-ROLE already exists."),
            ("CreateRole", {"RoleName": "err-bad", "AssumeRolePolicyDocument": "{"},
             400, "MalformedPolicyDocument", "This policy contains invalid Json"),
            ("CreateRole", {"RoleName": "err-bad", "AssumeRolePolicyDocument": trust(
                "ns", "sa", provider="arn:aws:iam::%s:oidc-provider/oidc.example/id/NONE" % ACCOUNT)},
             400, "MalformedPolicyDocument", 'Invalid principal in policy: "Federated"'),
            ("CreateRole", {"RoleName": "err bad", "AssumeRolePolicyDocument": trust("ns", "sa")},
             400, "ValidationError", "regular expression pattern"),
            ("CreateRole", {"RoleName": "err-pb", "AssumeRolePolicyDocument": trust("ns", "sa"),
                            "PermissionsBoundary": "arn:aws:iam::aws:policy/ReadOnlyAccess"},
             400, "ValidationError", "PermissionsBoundary"),
            ("DeleteRole", {"RoleName": "err-none"}, 404, "NoSuchEntity",
             "The role with name err-none cannot be found."),
            ("PutRolePolicy", {"RoleName": "err-role", "PolicyName": "p",
                               "PolicyDocument": trust("ns", "sa")},
             400, "MalformedPolicyDocument", "Policy document should not specify a principal."),
            ("AttachRolePolicy", {"RoleName": "err-role",
                                  "PolicyArn": "arn:aws:iam::%s:policy/none" % ACCOUNT},
             404, "NoSuchEntity", "does not exist or is not attachable."),
            ("DetachRolePolicy", {"RoleName": "err-role",
                                  "PolicyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"},
             404, "NoSuchEntity", "was not found."),
            ("CreatePolicy", {"PolicyName": "err-p", "PolicyDocument": json.dumps(
                {"Statement": [{"Effect": "Allow", "Action": "s3:*"}]})},
             400, "MalformedPolicyDocument", "Policy statement must contain resources."),
            ("DeletePolicy", {"PolicyArn": "arn:aws:iam::%s:policy/none" % ACCOUNT},
             404, "NoSuchEntity", "was not found."),
            ("CreateOpenIDConnectProvider", {"Url": "https://" + ISSUER},
             409, "EntityAlreadyExists", "already exists."),
            ("CreateOpenIDConnectProvider", {"Url": "https://idp.example/x",
                                             "ThumbprintList.member.1": "short"},
             400, "ValidationError", "thumbprintList"),
            ("DeleteOpenIDConnectProvider", {"OpenIDConnectProviderArn": PROVIDER + "X"},
             404, "NoSuchEntity", "OpenIDConnect Provider not found"),
        ]
        for action, params, status, code, message in cases:
            with self.subTest(action=action, code=code):
                got = self.check_error("iam", action, self.iam(action, params), status, code)
                self.assertIn(message, got)

    def test_attach_quota_and_delete_conflict(self):
        self.check_query_reply("iam", "CreateRole", self.iam("CreateRole", {
            "RoleName": "quota-role", "AssumeRolePolicyDocument": trust("ns", "q")}))
        for i in range(10):
            self.check_empty_reply("AttachRolePolicy", self.iam("AttachRolePolicy", {
                "RoleName": "quota-role", "PolicyArn": "arn:aws:iam::aws:policy/P%d" % i}))
        reply = self.iam("AttachRolePolicy", {"RoleName": "quota-role",
                                              "PolicyArn": "arn:aws:iam::aws:policy/P10"})
        message = self.check_error("iam", "AttachRolePolicy", reply, 409, "LimitExceeded")
        self.assertIn("PoliciesPerRole: 10", message)
        reply = self.iam("DeleteRole", {"RoleName": "quota-role"})
        message = self.check_error("iam", "DeleteRole", reply, 409, "DeleteConflict")
        self.assertEqual(message, "Cannot delete entity, must detach all policies first.")

    def test_created_role_listed_in_order(self):
        self.check_query_reply("iam", "CreateRole", self.iam("CreateRole", {
            "RoleName": "AAA-first", "AssumeRolePolicyDocument": trust("ns", "first")}))
        names, marker = [], None
        while True:
            params = {"MaxItems": "100"}
            if marker:
                params["Marker"] = marker
            page = self.check_query_reply("iam", "ListRoles", self.iam("ListRoles", params))
            names += [r["RoleName"] for r in page["Roles"]]
            if not page["IsTruncated"]:
                break
            marker = page["Marker"]
        self.assertIn("AAA-first", names)
        self.assertEqual(names, sorted(names, key=str.lower))


if __name__ == "__main__":
    unittest.main()
