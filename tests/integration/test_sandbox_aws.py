"""The sandbox's AWS APIs (STS, EKS, IAM, EC2) against the demo world.

The aws CLI accepts almost any reply, so every call is also sent by hand
and judged strictly by botocheck (botocore's signer, parser and output
shapes). Expected values come from the world file itself.
"""

import base64
import datetime
import json
import os
import re
import ssl
import subprocess
import tempfile
import time
import unittest
import urllib.parse
from unittest import mock

import botocore.auth
import yaml
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

import sandbox
from botocheck import AwsChecks, ShapeWalker, model
from sandbox import Sandbox

DEMO = os.path.join(sandbox.WORLDS, "demo.yaml")
BAD_WORLDS = sandbox.TEST_WORLDS


def load_demo():
    with open(DEMO) as f:
        return yaml.safe_load(f)


def expand_roles(world):
    """Role names of the world file, with `count` copies, and the item each
    one came from."""
    return {name: item for name, (item, _) in expand_role_copies(world).items()}


def expand_role_copies(world):
    """Like expand_roles, with the copy number ("" when not counted)."""
    roles = {}
    for item in world.get("roles", []):
        count = item.get("count")
        for n in range(1, (count or 1) + 1):
            copy = str(n) if count else ""
            roles[item["name"].replace("{n}", copy) if count else item["name"]] = (item, copy)
    return roles


class SandboxAwsTest(AwsChecks, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.world = load_demo()
        cls.sb = Sandbox(world=DEMO).start()
        cls.env = cls.sb.env
        cls.endpoint = cls.env["AWS_ENDPOINT_URL"]
        cls.host = urllib.parse.urlsplit(cls.endpoint).netloc
        cls.tls = ssl.create_default_context(cafile=cls.env["AWS_CA_BUNDLE"])
        cls.key = cls.env["AWS_ACCESS_KEY_ID"]
        cls.secret = cls.env["AWS_SECRET_ACCESS_KEY"]

    @classmethod
    def tearDownClass(cls):
        cls.sb.stop()

    def clusters_in(self, region):
        return [c["name"] for c in self.world["clusters"] if c["region"] == region]

    def demo_cluster(self):
        return next(c for c in self.world["clusters"] if c.get("oidc") and c.get("oidcProvider", True))

    # --- the aws CLI ---------------------------------------------------

    def test_cli_get_caller_identity(self):
        out = self.cli("sts", "get-caller-identity")
        cred = self.world["credentials"][0]
        self.assertEqual(out["Account"], self.world["account"])
        self.assertEqual(out["Arn"], "arn:aws:iam::%s:user/%s" % (self.world["account"], cred["user"]))
        self.assertRegex(out["UserId"], r"^AIDA[A-Z2-7]{17}$")

    def test_cli_eks_clusters(self):
        for region in self.world["regions"]:
            out = self.cli("eks", "list-clusters", region=region)
            self.assertEqual(sorted(out["clusters"]), sorted(self.clusters_in(region)), region)

    def test_cli_describe_cluster(self):
        c = self.demo_cluster()
        out = self.cli("eks", "describe-cluster", "--name", c["name"], region=c["region"])["cluster"]
        self.assertEqual(out["name"], c["name"])
        self.assertEqual(out["version"], str(c["version"]))
        self.assertEqual(out["status"], "ACTIVE")
        self.assertEqual(out["arn"], "arn:aws:eks:%s:%s:cluster/%s" % (c["region"], self.world["account"], c["name"]))
        self.assertRegex(out["identity"]["oidc"]["issuer"],
                         r"^https://oidc\.eks\.%s\.amazonaws\.com/id/[0-9A-F]{32}$" % c["region"])
        self.assertEqual(out["endpoint"], "%s/k8s/%s/%s" % (self.endpoint, c["region"], c["name"]))
        with open(self.env["AWS_CA_BUNDLE"], "rb") as f:
            self.assertEqual(base64.b64decode(out["certificateAuthority"]["data"]), f.read())

    def test_cli_list_roles_pages(self):
        roles = expand_roles(self.world)
        self.assertGreater(len(roles), 100, "the demo world needs more roles than one page")
        out = self.cli("iam", "list-roles")
        self.assertEqual(sorted(r["RoleName"] for r in out["Roles"]), sorted(roles))

    def test_cli_get_role(self):
        name, item = next((n, i) for n, i in expand_roles(self.world).items() if "description" in i and "{n}" not in i["name"])
        out = self.cli("iam", "get-role", "--role-name", name)["Role"]
        self.assertEqual(out["RoleName"], name)
        self.assertEqual(out["Description"], item["description"])
        self.assertEqual(out["AssumeRolePolicyDocument"], item["trustPolicy"])

    def test_cli_attached_role_policies(self):
        for name, item in expand_roles(self.world).items():
            if "{n}" in item["name"]:
                continue
            out = self.cli("iam", "list-attached-role-policies", "--role-name", name)
            arns = [p["PolicyArn"] for p in out["AttachedPolicies"]]
            self.assertEqual(arns, [self.policy_arn(a) for a in item.get("attachedPolicies", [])], name)
            break

    def test_cli_describe_regions(self):
        out = self.cli("ec2", "describe-regions", region="us-east-2")
        self.assertEqual([r["RegionName"] for r in out["Regions"]], self.world["regions"])

    def policy_arn(self, ref):
        if ref.startswith("arn:"):
            return ref
        p = next(p for p in self.world["policies"] if p["name"] == ref)
        return "arn:aws:iam::%s:policy%s%s" % (self.world["account"], p.get("path", "/"), ref)

    # --- by hand, parsed strictly -------------------------------------

    def test_get_caller_identity_xml(self):
        parsed = self.check_query_reply("sts", "GetCallerIdentity", self.query("sts", "GetCallerIdentity"))
        self.assertEqual(parsed["Account"], self.world["account"])

    def test_get_caller_identity_json(self):
        reply = self.query("sts", "GetCallerIdentity", headers={"Accept": "application/json"})
        self.assertEqual(reply.status, 200)
        self.assertEqual(reply.header("Content-Type"), "application/json")
        body = json.loads(reply.body)
        self.assertEqual(list(body), ["GetCallerIdentityResponse"])
        response = body["GetCallerIdentityResponse"]
        self.assertEqual(sorted(response), ["GetCallerIdentityResult", "ResponseMetadata"])
        self.assertTrue(response["ResponseMetadata"]["RequestId"])
        shape = model("sts").operation_model("GetCallerIdentity").output_shape
        ShapeWalker(self).json(response["GetCallerIdentityResult"], shape, "GetCallerIdentityResult")

    def test_presigned_get_caller_identity(self):
        """The request aws-iam-authenticator replays from an EKS token."""
        req = AWSRequest(method="GET", url=self.endpoint + "/?Action=GetCallerIdentity&Version=2011-06-15",
                         headers={"x-k8s-aws-id": "alb-demo-cluster"})
        botocore.auth.SigV4QueryAuth(Credentials(self.key, self.secret), "sts", "us-east-2", expires=60).add_auth(req)
        url = urllib.parse.urlsplit(req.url)
        reply = self.send("GET", url.path + "?" + url.query,
                          headers={"x-k8s-aws-id": "alb-demo-cluster", "Accept": "application/json"})
        self.assertEqual(reply.status, 200, reply.body)
        result = json.loads(reply.body)["GetCallerIdentityResponse"]["GetCallerIdentityResult"]
        self.assertEqual(result["Account"], self.world["account"])

    def test_list_clusters_strict(self):
        for region in self.world["regions"]:
            parsed = self.check_json_reply("ListClusters", self.signed("eks", region, "GET", "/clusters"))
            self.assertEqual(sorted(parsed["clusters"]), sorted(self.clusters_in(region)))

    def test_list_clusters_paging(self):
        region = self.demo_cluster()["region"]
        reply = self.signed("eks", region, "GET", "/clusters", {"maxResults": "1"})
        parsed = self.check_json_reply("ListClusters", reply)
        self.assertEqual(len(parsed["clusters"]), 1)
        bad = self.signed("eks", region, "GET", "/clusters", {"maxResults": "0"})
        self.check_error("eks", "ListClusters", bad, 400, "InvalidParameterException")

    def test_describe_cluster_strict(self):
        for c in self.world["clusters"]:
            reply = self.signed("eks", c["region"], "GET", "/clusters/" + c["name"])
            parsed = self.check_json_reply("DescribeCluster", reply)["cluster"]
            self.assertEqual(parsed["name"], c["name"])
            self.assertIsInstance(parsed["createdAt"], datetime.datetime)
            self.assertEqual(parsed["createdAt"].strftime("%Y-%m-%dT%H:%M:%SZ"), c["created"])
            if "roleArn" in c:
                self.assertEqual(parsed["roleArn"], c["roleArn"])
            self.assertEqual(parsed.get("tags", {}), c.get("tags", {}))

    def test_describe_cluster_not_found(self):
        reply = self.signed("eks", "us-east-2", "GET", "/clusters/no-such-cluster")
        message = self.check_error("eks", "DescribeCluster", reply, 404, "ResourceNotFoundException")
        self.assertIn("no-such-cluster", message)
        # The cluster exists, but in another region.
        staging = next(c for c in self.world["clusters"] if c["region"] != "us-east-2")
        reply = self.signed("eks", "us-east-2", "GET", "/clusters/" + staging["name"])
        self.check_error("eks", "DescribeCluster", reply, 404, "ResourceNotFoundException")

    def test_nodegroups_strict(self):
        c = self.demo_cluster()
        parsed = self.check_json_reply("ListNodegroups", self.signed("eks", c["region"], "GET",
                                                                     "/clusters/%s/node-groups" % c["name"]))
        self.assertEqual(parsed["nodegroups"], [ng["name"] for ng in c["nodegroups"]])
        ng = c["nodegroups"][0]
        parsed = self.check_json_reply("DescribeNodegroup", self.signed(
            "eks", c["region"], "GET", "/clusters/%s/node-groups/%s" % (c["name"], ng["name"])))["nodegroup"]
        self.assertEqual(parsed["instanceTypes"], [ng["instanceType"]])
        self.assertEqual(parsed["scalingConfig"]["desiredSize"], ng["desiredCapacity"])
        self.assertEqual(parsed["nodeRole"], ng["nodeRole"])
        role = parsed["nodeRole"].split("/")[-1]
        got = self.cli("iam", "get-role", "--role-name", role)["Role"]
        self.assertEqual(got["Arn"], ng["nodeRole"])

    def test_nodegroup_default_node_role(self):
        c = next(c for c in self.world["clusters"]
                 if any("nodeRole" not in ng for ng in c.get("nodegroups", [])))
        ng = next(ng for ng in c["nodegroups"] if "nodeRole" not in ng)
        parsed = self.check_json_reply("DescribeNodegroup", self.signed(
            "eks", c["region"], "GET", "/clusters/%s/node-groups/%s" % (c["name"], ng["name"])))["nodegroup"]
        prefix = "arn:aws:iam::%s:role/" % self.world["account"]
        self.assertTrue(parsed["nodeRole"].startswith(prefix), parsed["nodeRole"])
        name = parsed["nodeRole"][len(prefix):]
        self.assertLessEqual(len(name), 64)
        self.assertRegex(name, r"-NodeInstanceRole-[A-Z0-9]{12}$")
        self.assertTrue(("eksctl-%s-nodegroup-%s" % (c["name"], ng["name"])).startswith(
            name[:-len("-NodeInstanceRole-") - 12]), name)

    def test_list_roles_pages_strict(self):
        expected = sorted(expand_roles(self.world), key=str.lower)
        names, marker, pages = [], None, 0
        while True:
            params = {"MaxItems": "40"}
            if marker:
                params["Marker"] = marker
            parsed = self.check_query_reply("iam", "ListRoles", self.query("iam", "ListRoles", params))
            pages += 1
            self.assertLessEqual(len(parsed["Roles"]), 40)
            names += [r["RoleName"] for r in parsed["Roles"]]
            if not parsed["IsTruncated"]:
                self.assertNotIn("Marker", parsed)
                break
            marker = parsed["Marker"]
        self.assertEqual(names, expected)
        self.assertEqual(pages, (len(expected) + 39) // 40)

    def test_list_roles_path_prefix(self):
        roles = expand_roles(self.world)
        expected = sorted((n for n, i in roles.items() if i.get("path", "/").startswith("/apps/")), key=str.lower)
        parsed = self.check_query_reply("iam", "ListRoles", self.query("iam", "ListRoles", {"PathPrefix": "/apps/"}))
        got = [r["RoleName"] for r in parsed["Roles"]]
        self.assertEqual(got, expected[:100])
        self.assertEqual(parsed["IsTruncated"], len(expected) > 100)

    def test_list_roles_bad_max_items(self):
        reply = self.query("iam", "ListRoles", {"MaxItems": "0"})
        self.check_error("iam", "ListRoles", reply, 400, "ValidationError")
        reply = self.query("iam", "ListRoles", {"Marker": "not a marker"})
        self.check_error("iam", "ListRoles", reply, 400, "ValidationError")

    def test_get_role_strict(self):
        for name, (item, copy) in list(expand_role_copies(self.world).items())[:12]:
            parsed = self.check_query_reply("iam", "GetRole", self.query("iam", "GetRole", {"RoleName": name}))
            role = parsed["Role"]
            self.assertEqual(role["RoleName"], name)
            self.assertEqual(role["Path"], item.get("path", "/"))
            trust = item["trustPolicy"]
            self.assertEqual(role["AssumeRolePolicyDocument"], json.loads(trust) if isinstance(trust, str) else trust)
            tags = {t["Key"]: t["Value"] for t in role.get("Tags", [])}
            self.assertEqual(tags, {k: v.replace("{n}", copy) for k, v in item.get("tags", {}).items()})

    def test_get_role_not_found(self):
        reply = self.query("iam", "GetRole", {"RoleName": "payments-api-irsa"})
        message = self.check_error("iam", "GetRole", reply, 404, "NoSuchEntity")
        self.assertEqual(message, "The role with name payments-api-irsa cannot be found.")

    def test_role_policies_strict(self):
        for name, item in expand_roles(self.world).items():
            if "{n}" in item["name"]:
                continue
            parsed = self.check_query_reply("iam", "ListAttachedRolePolicies",
                                            self.query("iam", "ListAttachedRolePolicies", {"RoleName": name}))
            expected = [self.policy_arn(a) for a in item.get("attachedPolicies", [])]
            self.assertEqual([p["PolicyArn"] for p in parsed["AttachedPolicies"]], expected, name)
            self.assertEqual([p["PolicyName"] for p in parsed["AttachedPolicies"]],
                             [a.rsplit("/", 1)[1] for a in expected])
            parsed = self.check_query_reply("iam", "ListRolePolicies",
                                            self.query("iam", "ListRolePolicies", {"RoleName": name}))
            self.assertEqual(parsed["PolicyNames"], list(item.get("inlinePolicies", {})), name)
            for policy, document in item.get("inlinePolicies", {}).items():
                parsed = self.check_query_reply("iam", "GetRolePolicy", self.query(
                    "iam", "GetRolePolicy", {"RoleName": name, "PolicyName": policy}))
                self.assertEqual(parsed["PolicyDocument"], document)

    def test_role_policies_paging(self):
        name, item = max(((n, i) for n, i in expand_roles(self.world).items()),
                         key=lambda p: len(p[1].get("attachedPolicies", [])))
        total = len(item["attachedPolicies"])
        self.assertGreater(total, 1)
        arns, marker = [], None
        while True:
            params = {"RoleName": name, "MaxItems": "1"}
            if marker:
                params["Marker"] = marker
            parsed = self.check_query_reply("iam", "ListAttachedRolePolicies",
                                            self.query("iam", "ListAttachedRolePolicies", params))
            arns += [p["PolicyArn"] for p in parsed["AttachedPolicies"]]
            if not parsed["IsTruncated"]:
                break
            marker = parsed["Marker"]
        self.assertEqual(arns, [self.policy_arn(a) for a in item["attachedPolicies"]])

    def test_policies_strict(self):
        for p in self.world["policies"]:
            arn = self.policy_arn(p["name"])
            parsed = self.check_query_reply("iam", "GetPolicy", self.query("iam", "GetPolicy", {"PolicyArn": arn}))
            self.assertEqual(parsed["Policy"]["DefaultVersionId"], "v1")
            parsed = self.check_query_reply("iam", "GetPolicyVersion", self.query(
                "iam", "GetPolicyVersion", {"PolicyArn": arn, "VersionId": "v1"}))
            document = p["document"]
            self.assertEqual(parsed["PolicyVersion"]["Document"],
                             json.loads(document) if isinstance(document, str) else document)

    def test_aws_managed_policy_strict(self):
        arn = "arn:aws:iam::aws:policy/ElasticLoadBalancingFullAccess"
        parsed = self.check_query_reply("iam", "GetPolicy", self.query("iam", "GetPolicy", {"PolicyArn": arn}))
        self.assertEqual(parsed["Policy"]["Arn"], arn)
        self.assertEqual(parsed["Policy"]["PolicyName"], "ElasticLoadBalancingFullAccess")
        version = parsed["Policy"]["DefaultVersionId"]
        parsed = self.check_query_reply("iam", "GetPolicyVersion", self.query(
            "iam", "GetPolicyVersion", {"PolicyArn": arn, "VersionId": version}))
        actions = parsed["PolicyVersion"]["Document"]["Statement"][0]["Action"]
        self.assertIn("elasticloadbalancing:*", actions)
        # One the sandbox does not know stays unknown.
        reply = self.query("iam", "GetPolicy", {"PolicyArn": "arn:aws:iam::aws:policy/NoSuchPolicy"})
        self.check_error("iam", "GetPolicy", reply, 404, "NoSuchEntity")

    def test_oidc_providers_strict(self):
        parsed = self.check_query_reply("iam", "ListOpenIDConnectProviders",
                                        self.query("iam", "ListOpenIDConnectProviders"))
        arns = [p["Arn"] for p in parsed["OpenIDConnectProviderList"]]
        with_provider = [c for c in self.world["clusters"] if c.get("oidc") and c.get("oidcProvider", True)]
        self.assertEqual(len(arns), len(with_provider))
        for arn in arns:
            parsed = self.check_query_reply("iam", "GetOpenIDConnectProvider", self.query(
                "iam", "GetOpenIDConnectProvider", {"OpenIDConnectProviderArn": arn}))
            self.assertEqual(parsed["ClientIDList"], ["sts.amazonaws.com"])
            self.assertTrue(arn.endswith(parsed["Url"]))

    def test_describe_regions_strict(self):
        parsed = self.check_query_reply("ec2", "DescribeRegions", self.query("ec2", "DescribeRegions", region="us-east-2"))
        self.assertEqual([r["RegionName"] for r in parsed["Regions"]], self.world["regions"])
        one = self.world["regions"][1]
        parsed = self.check_query_reply("ec2", "DescribeRegions", self.query(
            "ec2", "DescribeRegions", {"RegionName.1": one}, region="us-east-2"))
        self.assertEqual([r["RegionName"] for r in parsed["Regions"]], [one])

    def test_unknown_action(self):
        reply = self.query("iam", "ListUsersEverywhere")
        self.check_error("iam", "ListRoles", reply, 400, "InvalidAction")

    # --- authentication ------------------------------------------------

    def test_wrong_secret(self):
        reply = self.query("sts", "GetCallerIdentity", secret="wrong" + self.secret[5:])
        message = self.check_error("sts", "GetCallerIdentity", reply, 403, "SignatureDoesNotMatch")
        self.assertTrue(message.startswith("The request signature we calculated does not match"))
        reply = self.query("iam", "ListRoles", secret="wrong" + self.secret[5:])
        self.check_error("iam", "ListRoles", reply, 403, "SignatureDoesNotMatch")

    def test_unknown_key(self):
        reply = self.query("sts", "GetCallerIdentity", key="AKIAI44QH8DHBEXAMPLE")
        message = self.check_error("sts", "GetCallerIdentity", reply, 403, "InvalidClientTokenId")
        self.assertEqual(message, "The security token included in the request is invalid.")

    def test_unknown_key_rest_json_and_ec2(self):
        reply = self.signed("eks", "us-east-2", "GET", "/clusters", key="AKIAI44QH8DHBEXAMPLE")
        self.check_error("eks", "ListClusters", reply, 403, "UnrecognizedClientException")
        reply = self.signed("eks", "us-east-2", "GET", "/clusters", secret="x" * 40)
        self.check_error("eks", "ListClusters", reply, 403, "InvalidSignatureException")
        reply = self.query("ec2", "DescribeRegions", key="AKIAI44QH8DHBEXAMPLE", region="us-east-2")
        self.check_error("ec2", "DescribeRegions", reply, 401, "AuthFailure")

    def test_old_date_expired(self):
        old = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None) - datetime.timedelta(minutes=20)
        with mock.patch("botocore.auth.get_current_datetime", return_value=old):
            reply = self.query("sts", "GetCallerIdentity")
        message = self.check_error("sts", "GetCallerIdentity", reply, 403, "SignatureDoesNotMatch")
        self.assertRegex(message, r"^Signature expired: %s is now earlier than \d{8}T\d{6}Z "
                                  r"\(\d{8}T\d{6}Z - 15 min\.\)$" % old.strftime("%Y%m%dT%H%M%SZ"))

    def test_tampered_body(self):
        """The signature covers the body: a changed parameter fails."""
        form = {"Action": "GetRole", "Version": "2010-05-08", "RoleName": "batch-reports"}
        req = AWSRequest(method="POST", url=self.endpoint + "/", data=urllib.parse.urlencode(form),
                         headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
        botocore.auth.SigV4Auth(Credentials(self.key, self.secret), "iam", "us-east-1").add_auth(req)
        form["RoleName"] = "external-dns"
        reply = self.send("POST", "/", urllib.parse.urlencode(form).encode(), dict(req.headers.items()))
        self.check_error("iam", "GetRole", reply, 403, "SignatureDoesNotMatch")

    def test_missing_authentication(self):
        body = urllib.parse.urlencode({"Action": "ListRoles", "Version": "2010-05-08"})
        reply = self.send("POST", "/", body.encode(), {"Content-Type": "application/x-www-form-urlencoded"})
        self.check_error("iam", "ListRoles", reply, 403, "MissingAuthenticationToken")

    # --- AssumeRoleWithWebIdentity --------------------------------------

    def jwt(self, issuer, subject, audience="sts.amazonaws.com", lifetime=3600):
        def part(obj):
            return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()
        claims = {"iss": issuer, "sub": subject, "aud": [audience], "exp": int(time.time()) + lifetime,
                  "iat": int(time.time())}
        return "%s.%s.%s" % (part({"alg": "RS256", "kid": "sandbox"}), part(claims), "c2lnbmF0dXJl")

    def assume(self, role_arn, token):
        form = {"Action": "AssumeRoleWithWebIdentity", "Version": "2011-06-15", "RoleArn": role_arn,
                "RoleSessionName": "botocore-session-1", "WebIdentityToken": token}
        return self.send("POST", "/", urllib.parse.urlencode(form).encode(),
                         {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})

    def irsa_case(self):
        """The demo's controller service account, its role and issuer."""
        c = self.demo_cluster()
        issuer = self.cli("eks", "describe-cluster", "--name", c["name"],
                          region=c["region"])["cluster"]["identity"]["oidc"]["issuer"]
        for sa in c["serviceAccounts"]:
            arn = sa.get("annotations", {}).get("eks.amazonaws.com/role-arn", "")
            name = arn.rsplit("/", 1)[-1]
            if name in expand_roles(self.world) and "count" not in sa:
                return issuer, "system:serviceaccount:%s:%s" % (sa["namespace"], sa["name"]), arn
        self.fail("the demo world has no service account with an existing role")

    def test_assume_role_with_web_identity(self):
        issuer, subject, role_arn = self.irsa_case()
        reply = self.assume(role_arn, self.jwt(issuer, subject))
        parsed = self.check_query_reply("sts", "AssumeRoleWithWebIdentity", reply)
        creds = parsed["Credentials"]
        self.assertTrue(creds["AccessKeyId"].startswith("ASIA"))
        self.assertEqual(parsed["SubjectFromWebIdentityToken"], subject)
        role_name = role_arn.rsplit("/", 1)[1]
        self.assertEqual(parsed["AssumedRoleUser"]["Arn"], "arn:aws:sts::%s:assumed-role/%s/botocore-session-1"
                         % (self.world["account"], role_name))
        # The temporary credentials work, and only with their session token.
        reply = self.query("sts", "GetCallerIdentity", key=creds["AccessKeyId"],
                           secret=creds["SecretAccessKey"], token=creds["SessionToken"])
        self.assertEqual(self.check_query_reply("sts", "GetCallerIdentity", reply)["Arn"],
                         parsed["AssumedRoleUser"]["Arn"])
        reply = self.query("sts", "GetCallerIdentity", key=creds["AccessKeyId"], secret=creds["SecretAccessKey"])
        self.check_error("sts", "GetCallerIdentity", reply, 403, "InvalidClientTokenId")

    def test_assume_role_denied(self):
        issuer, subject, role_arn = self.irsa_case()
        reply = self.assume(role_arn, self.jwt(issuer, "system:serviceaccount:default:intruder"))
        message = self.check_error("sts", "AssumeRoleWithWebIdentity", reply, 403, "AccessDenied")
        self.assertEqual(message, "Not authorized to perform sts:AssumeRoleWithWebIdentity")
        reply = self.assume(role_arn, self.jwt(issuer, subject, audience="something-else"))
        self.assertEqual(self.check_error("sts", "AssumeRoleWithWebIdentity", reply, 400, "InvalidIdentityToken"),
                         "Incorrect token audience")
        reply = self.assume(role_arn, self.jwt(issuer, subject, lifetime=-60))
        self.check_error("sts", "AssumeRoleWithWebIdentity", reply, 400, "ExpiredTokenException")

    def test_assume_role_without_provider(self):
        c = next(c for c in self.world["clusters"] if c.get("oidc") and c.get("oidcProvider") is False)
        issuer = self.cli("eks", "describe-cluster", "--name", c["name"],
                          region=c["region"])["cluster"]["identity"]["oidc"]["issuer"]
        _, subject, role_arn = self.irsa_case()
        reply = self.assume(role_arn, self.jwt(issuer, subject))
        message = self.check_error("sts", "AssumeRoleWithWebIdentity", reply, 400, "InvalidIdentityToken")
        self.assertEqual(message, "No OpenIDConnect provider found in your account for " + issuer)


class BadWorldTest(unittest.TestCase):
    """Each tests/worlds/bad-*.yaml starts with `# expect: LINE: TEXT`:
    the sandbox must exit 2 naming file:LINE and saying TEXT."""

    def test_bad_worlds_exit_2(self):
        files = sorted(f for f in os.listdir(BAD_WORLDS) if f.startswith("bad-") and f.endswith(".yaml"))
        self.assertGreater(len(files), 5)
        for name in files:
            path = os.path.join(BAD_WORLDS, name)
            with open(path) as f:
                m = re.match(r"# expect: (\d+): (.*)", f.readline())
            self.assertIsNotNone(m, "%s has no '# expect: LINE: TEXT' first line" % name)
            with self.subTest(world=name), tempfile.TemporaryDirectory() as tmp:
                res = subprocess.run([sandbox.SANDBOX, "--world", path, "--env-file", os.path.join(tmp, "env")],
                                     capture_output=True, text=True, timeout=20)
                self.assertEqual(res.returncode, 2, res.stderr)
                self.assertIn("%s:%s:" % (path, m.group(1)), res.stderr)
                self.assertIn(m.group(2), res.stderr)
                self.assertFalse(os.path.exists(os.path.join(tmp, "env")))


if __name__ == "__main__":
    unittest.main()
