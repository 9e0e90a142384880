"""albatross annotate, create and delete serviceaccount against the
sandbox: kubectl reads back what they wrote, albatross get serviceaccounts
judges the new role, --dry-run and --readonly send no write, and bad
values fail before anything is sent."""

import json
import os
import re
import unittest

import sandbox
from sandbox import Sandbox

DEMO = os.path.join(sandbox.WORLDS, "demo.yaml")
CLUSTER = "alb-demo-cluster"
ROLE_ANNOTATION = "eks.amazonaws.com/role-arn"
STS_ANNOTATION = "eks.amazonaws.com/sts-regional-endpoints"
EXPIRATION_ANNOTATION = "eks.amazonaws.com/token-expiration"
# The demo's controller role, trusted only by aws-system/alb-ingress-controller.
CONTROLLER_ROLE = ("arn:aws:iam::111122223333:role/"
                   "eksctl-alb-demo-cluster-addon-iamserviceacco-Role1-1Q2W3E4R5T6Y")
MISSING_ROLE = "arn:aws:iam::111122223333:role/no-such-role"
WRITES = ("POST", "PUT", "PATCH", "DELETE")


def setUpModule():
    global SB
    SB = Sandbox(world=DEMO).start()


def tearDownModule():
    SB.stop()


def albatross(*args, check=True):
    return SB.albatross(*args, "--cluster", CLUSTER, check=check)


def context():
    """kubectl's context for the cluster, by the ARN the sandbox names it with."""
    res = SB.kubectl("config", "get-contexts", "-o", "name")
    return next(n for n in res.stdout.split() if n.endswith("cluster/" + CLUSTER))


def kubectl_sa(ns, name, check=True):
    res = SB.kubectl("--context", context(), "get", "serviceaccount", name, "-n", ns,
                     "-o", "json", check=check)
    return json.loads(res.stdout) if res.returncode == 0 else None


def annotations(ns, name):
    return kubectl_sa(ns, name)["metadata"].get("annotations", {})


def listed(ns, name):
    res = albatross("get", "serviceaccounts", "-o", "json")
    items = {(i["namespace"], i["name"]): i for i in json.loads(res.stdout)["items"]}
    return items.get((ns, name))


def k8s_requests():
    """(method, path) of each Kubernetes request the sandbox logged."""
    return re.findall(r"^albatross-sandbox: ([A-Z]+) (/k8s/\S+) \d{3}", SB.output(), re.M)


def writes_to(path_part):
    return [r for r in k8s_requests() if r[0] in WRITES and path_part in r[1]]


class CreateAnnotateDelete(unittest.TestCase):

    def test_create_with_role(self):
        out = albatross("create", "serviceaccount", "default/created",
                        "--role-arn", MISSING_ROLE).stdout
        self.assertIn("serviceaccount default/created created", out)
        self.assertEqual(annotations("default", "created"), {ROLE_ANNOTATION: MISSING_ROLE})
        sa = listed("default", "created")
        self.assertEqual(sa["roleArn"], MISSING_ROLE)
        self.assertEqual(sa["roleStatus"], "missing role")

    def test_create_existing_fails(self):
        albatross("create", "serviceaccount", "default/existing")
        res = albatross("create", "serviceaccount", "default/existing", check=False)
        self.assertEqual(res.returncode, 1)
        self.assertIn('AlreadyExists: serviceaccounts "existing" already exists', res.stderr)
        self.assertIn("albatross annotate serviceaccount", res.stderr)

    def test_annotate_changes_role_column(self):
        self.assertIsNone(listed("monitoring", "prometheus")["roleArn"])
        albatross("annotate", "serviceaccount", "monitoring/prometheus",
                  "--role-arn", CONTROLLER_ROLE, "--sts-regional-endpoints", "true",
                  "--token-expiration", "3600")
        self.assertEqual(annotations("monitoring", "prometheus"), {
            ROLE_ANNOTATION: CONTROLLER_ROLE, STS_ANNOTATION: "true",
            EXPIRATION_ANNOTATION: "3600"})
        sa = listed("monitoring", "prometheus")
        self.assertEqual(sa["roleArn"], CONTROLLER_ROLE)
        # The role trusts only the controller's service account.
        self.assertEqual(sa["roleStatus"], "not trusted")
        managed = kubectl_managers("monitoring", "prometheus")
        self.assertIn(("albatross", "Update"), managed)

    def test_token_expiration_bounds_accepted(self):
        albatross("create", "serviceaccount", "default/bounds")
        for seconds, sts in (("600", "false"), ("86400", "true")):
            with self.subTest(seconds=seconds):
                albatross("annotate", "serviceaccount", "default/bounds",
                          "--role-arn", CONTROLLER_ROLE,
                          "--sts-regional-endpoints", sts,
                          "--token-expiration", seconds)
                self.assertEqual(annotations("default", "bounds"), {
                    ROLE_ANNOTATION: CONTROLLER_ROLE, STS_ANNOTATION: sts,
                    EXPIRATION_ANNOTATION: seconds})

    def test_token_expiration_out_of_range(self):
        albatross("create", "serviceaccount", "default/out-of-range")
        for seconds in ("599", "86401", "1h", "", "-600", "0600000"):
            with self.subTest(seconds=seconds):
                res = albatross("annotate", "serviceaccount", "default/out-of-range",
                                "--role-arn", CONTROLLER_ROLE,
                                "--token-expiration", seconds, check=False)
                self.assertEqual(res.returncode, 2)
                self.assertIn('invalid --token-expiration "%s"' % seconds, res.stderr)
                self.assertIn("from 600 to 86400", res.stderr)
        self.assertEqual(annotations("default", "out-of-range"), {})
        self.assertEqual(writes_to("/out-of-range"), [])

    def test_remove_annotations(self):
        albatross("create", "serviceaccount", "default/unannotated", "--role-arn", CONTROLLER_ROLE)
        albatross("annotate", "serviceaccount", "default/unannotated", "--remove")
        self.assertEqual(annotations("default", "unannotated"), {})
        sa = listed("default", "unannotated")
        self.assertIsNone(sa["roleArn"])
        self.assertEqual(sa["roleStatus"], "none")

    def test_annotate_missing_account(self):
        res = albatross("annotate", "serviceaccount", "default/ghost",
                        "--role-arn", MISSING_ROLE, check=False)
        self.assertEqual(res.returncode, 1)
        self.assertIn('NotFound: serviceaccounts "ghost" not found', res.stderr)
        self.assertIn("albatross create serviceaccount", res.stderr)
        self.assertIsNone(kubectl_sa("default", "ghost", check=False))

    def test_delete(self):
        albatross("create", "serviceaccount", "default/removed")
        out = albatross("delete", "serviceaccount", "default/removed").stdout
        self.assertIn("serviceaccount default/removed deleted", out)
        self.assertIsNone(kubectl_sa("default", "removed", check=False))
        self.assertIsNone(listed("default", "removed"))


def kubectl_managers(ns, name):
    res = SB.kubectl("--context", context(), "get", "serviceaccount", name, "-n", ns,
                     "-o", "json", "--show-managed-fields")
    fields = json.loads(res.stdout)["metadata"].get("managedFields", [])
    return [(m["manager"], m["operation"]) for m in fields]


class SendsNothing(unittest.TestCase):

    def test_dry_run_prints_request(self):
        res = albatross("annotate", "serviceaccount", "kube-system/dry",
                        "--role-arn", MISSING_ROLE, "--dry-run")
        lines = res.stdout.splitlines()
        self.assertEqual(lines[0], "PATCH /api/v1/namespaces/kube-system/serviceaccounts/dry"
                         "?fieldManager=albatross")
        self.assertEqual(lines[1], "Content-Type: application/merge-patch+json")
        self.assertEqual(json.loads(lines[3]),
                         {"metadata": {"annotations": {ROLE_ANNOTATION: MISSING_ROLE}}})
        res = albatross("delete", "serviceaccount", "kube-system/dry", "--dry-run")
        self.assertEqual(res.stdout, "DELETE /api/v1/namespaces/kube-system/serviceaccounts/dry\n")
        self.assertEqual([r for r in k8s_requests() if "/dry" in r[1]], [])

    def test_readonly_sends_no_write(self):
        commands = [
            ("create", "serviceaccount", "default/readonly"),
            ("annotate", "serviceaccount", "aws-system/alb-ingress-controller", "--remove"),
            ("delete", "serviceaccount", "aws-system/alb-ingress-controller"),
        ]
        for command in commands:
            res = albatross(*command, "--readonly", check=False)
            self.assertEqual(res.returncode, 1, command)
            self.assertIn("ReadOnly", res.stderr)
            self.assertIn("run without --readonly", res.stderr)
        self.assertEqual(writes_to("/readonly"), [])
        self.assertEqual(writes_to("/alb-ingress-controller"), [])
        self.assertEqual(annotations("aws-system", "alb-ingress-controller")[ROLE_ANNOTATION],
                         CONTROLLER_ROLE)

    def test_bad_values_rejected(self):
        cases = [
            (("annotate", "sa", "default/x", "--role-arn", "role/app"),
             'invalid --role-arn "role/app"'),
            (("annotate", "sa", "default/x", "--role-arn", MISSING_ROLE,
              "--sts-regional-endpoints", "yes"), 'invalid --sts-regional-endpoints "yes"'),
            (("annotate", "sa", "default/x", "--role-arn", MISSING_ROLE,
              "--token-expiration", "60"), 'invalid --token-expiration "60"'),
            (("annotate", "sa", "default/x"), "needs either --role-arn ARN or --remove"),
            (("annotate", "sa", "default/x", "--role-arn", MISSING_ROLE, "--remove"),
             "needs either --role-arn ARN or --remove"),
            (("create", "sa", "nonamespace"), 'invalid service account "nonamespace"'),
            (("create", "sa", "Default/x"), 'invalid namespace "Default"'),
            (("delete", "sa", "default/x", "--role-arn", MISSING_ROLE), "takes no role options"),
        ]
        for args, message in cases:
            res = albatross(*args, check=False)
            self.assertEqual(res.returncode, 2, args)
            self.assertIn(message, res.stderr, args)
        self.assertEqual(writes_to("/x"), [])


if __name__ == "__main__":
    unittest.main()
