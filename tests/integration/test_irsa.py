"""IRSA evaluation against the demo world: albatross get reports each
planted trust mistake, and the trust documents it judged are the ones the
aws CLI reads with iam get-role."""

import json
import unittest

from sandbox import Sandbox

ROLE_ANNOTATION = "eks.amazonaws.com/role-arn"
STAGING_ISSUER_HOST = "oidc.eks.eu-west-1.amazonaws.com/id/997349A4F6AADC7A524AE35DB3474D0A"


def setUpModule():
    global SB
    SB = Sandbox().start()


def tearDownModule():
    SB.stop()


def get(kind, *args):
    res = SB.albatross("get", kind, "-o", "json", *args)
    return json.loads(res.stdout)["items"]


def by_name(items):
    return {(i["namespace"], i["name"]): i for i in items}


def trust_of(role_arn):
    name = role_arn.rsplit("/", 1)[1]
    role = json.loads(SB.aws("iam", "get-role", "--role-name", name).stdout)["Role"]
    return role["AssumeRolePolicyDocument"]


class RoleStatus(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.demo = by_name(get("sa"))
        cls.staging = by_name(get("sa", "--cluster", "staging"))

    def test_correct_controller_is_ok(self):
        sa = self.demo[("aws-system", "alb-ingress-controller")]
        self.assertEqual(sa["roleStatus"], "ok")
        self.assertIsNone(sa["roleReason"])

    def test_staging_controller_not_trusted(self):
        sa = self.staging[("kube-system", "aws-load-balancer-controller")]
        self.assertEqual(sa["roleStatus"], "not trusted")
        self.assertIn("system:serviceaccount:kube-system:alb-controller", sa["roleReason"])
        # The oracle: the trust policy the aws CLI reads names only that subject.
        cond = trust_of(sa["roleArn"])["Statement"][0]["Condition"]["StringEquals"]
        self.assertEqual(cond[STAGING_ISSUER_HOST + ":sub"],
                         "system:serviceaccount:kube-system:alb-controller")

    def test_external_dns_too_broad(self):
        sa = self.demo[("external-dns", "external-dns")]
        self.assertEqual(sa["roleStatus"], "too broad")
        self.assertIn(":sub condition", sa["roleReason"])
        statement = trust_of(sa["roleArn"])["Statement"][0]
        subjects = list(statement["Condition"]["StringLike"].values())
        self.assertEqual(subjects, ["system:serviceaccount:*:*"])

    def test_payments_api_missing_role(self):
        sa = self.demo[("payments", "payments-api")]
        self.assertEqual(sa["roleStatus"], "missing role")
        res = SB.aws("iam", "get-role", "--role-name", "payments-api-irsa", check=False)
        self.assertNotEqual(res.returncode, 0)
        self.assertIn("NoSuchEntity", res.stderr)

    def test_unannotated_is_none(self):
        sa = self.demo[("monitoring", "prometheus")]
        self.assertIsNone(sa["roleArn"])
        self.assertEqual(sa["roleStatus"], "none")

    def test_batch_prefix_is_ok(self):
        workers = [s for k, s in self.demo.items() if k[0] == "batch"]
        self.assertEqual(len(workers), 4)
        for sa in workers:
            self.assertEqual(sa["roleStatus"], "ok", sa["name"])

    def test_table_has_role_status(self):
        out = SB.albatross("get", "sa", "--cluster", "staging").stdout.splitlines()
        self.assertIn("ROLE STATUS", out[0])
        row = next(line for line in out if "aws-load-balancer-controller" in line)
        self.assertIn("not trusted", row)


class Providers(unittest.TestCase):
    def test_legacy_batch_has_no_provider(self):
        clusters = {c["name"]: c for c in get("clusters")}
        self.assertIs(clusters["legacy-batch"]["oidcProvider"], False)
        self.assertIsNotNone(clusters["legacy-batch"]["oidcIssuer"])
        self.assertIs(clusters["alb-demo-cluster"]["oidcProvider"], True)
        self.assertIs(clusters["staging"]["oidcProvider"], True)
        # The oracle: the providers the aws CLI lists.
        listed = json.loads(SB.aws("iam", "list-open-id-connect-providers").stdout)
        arns = [p["Arn"] for p in listed["OpenIDConnectProviderList"]]
        for name, c in clusters.items():
            host = c["oidcIssuer"].removeprefix("https://") if c["oidcIssuer"] else None
            has = any(a.endswith(":oidc-provider/" + host) for a in arns) if host else False
            self.assertEqual(c["oidcProvider"], has, name)


class RoleCounts(unittest.TestCase):
    def test_count_only_service_accounts_that_can_assume(self):
        staging_roles = {r["name"]: r for r in get("roles", "--cluster", "staging")}
        role = staging_roles["eksctl-staging-addon-iamserviceaccount-kube-Role1-P0O9I8U7Y6T5"]
        self.assertEqual(role["serviceAccounts"], 0)
        demo_roles = {r["name"]: r for r in get("roles")}
        self.assertEqual(demo_roles["batch-reports"]["serviceAccounts"], 4)
        self.assertEqual(demo_roles["external-dns"]["serviceAccounts"], 1)


if __name__ == "__main__":
    unittest.main()
