"""The pane actions driven through tmux against the sandbox. A service
account is annotated with a role picked from the roles, a policy is
attached to a role, and a trust policy is edited in $EDITOR with its
diff shown before the confirmation. Under --readonly an action is
rejected with nothing sent. The aws CLI and kubectl read the sandbox
afterwards, so each check sees what really changed."""

import json
import os
import re
import shutil
import subprocess
import time
import unittest

import yaml

from sandbox import Sandbox
from test_screen import HEIGHT, Screen, row

ACCOUNT = "111122223333"
CLUSTER = "alb-demo-cluster"
ANNOTATION = "eks.amazonaws.com/role-arn"
STS = "eks.amazonaws.com/sts-regional-endpoints"
EXPIRATION = "eks.amazonaws.com/token-expiration"
EXTERNAL_DNS_ARN = "arn:aws:iam::%s:role/irsa/external-dns" % ACCOUNT
BATCH_REPORTS_ARN = "arn:aws:iam::%s:role/batch-reports" % ACCOUNT
LBC_POLICY = "AWSLoadBalancerControllerIAMPolicy"
LBC_POLICY_ARN = "arn:aws:iam::%s:policy/%s" % (ACCOUNT, LBC_POLICY)
RESTARTED = "kubectl.kubernetes.io/restartedAt"
BROAD_SUB = "system:serviceaccount:*:*"
DEPLOYMENT = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: reports, namespace: batch}
spec:
  selector: {matchLabels: {app: reports}}
  template:
    metadata: {labels: {app: reports}}
    spec:
      serviceAccountName: report-worker-2
      containers: [{name: reports, image: busybox}]
"""
NARROW_SUB = "system:serviceaccount:external-dns:external-dns"


@unittest.skipUnless(shutil.which("tmux"), "tmux is not installed")
@unittest.skipUnless(shutil.which("aws"), "the aws CLI is not installed")
@unittest.skipUnless(shutil.which("kubectl"), "kubectl is not installed")
class ScreenActionsTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.box = Sandbox()
        cls.box.start()

    @classmethod
    def tearDownClass(cls):
        cls.box.stop()

    def open(self, *args, **env):
        screen = Screen(self.box, args, **env)
        self.addCleanup(screen.close)
        return screen

    def aws(self, *args):
        return json.loads(self.box.aws("--region", "us-east-2", *args).stdout)

    def context(self, cluster=CLUSTER):
        """The sandbox kubeconfig's context for cluster."""
        with open(self.box.env["KUBECONFIG"]) as f:
            config = yaml.safe_load(f)
        for ctx in config["contexts"]:
            if ctx["name"].endswith("cluster/" + cluster):
                return ctx["name"]
        raise AssertionError("the kubeconfig has no context for " + cluster)

    def annotations(self, namespace, name, cluster=CLUSTER):
        out = self.box.kubectl("--context", self.context(cluster), "-n",
                               namespace, "get", "serviceaccount", name, "-o",
                               "json").stdout
        return json.loads(out)["metadata"].get("annotations") or {}

    def filter(self, screen, text):
        screen.keys("/")
        screen.type(text)
        screen.keys("Enter")
        return screen.wait_for('filter "%s"' % text)

    def open_service_account(self, screen, namespace, name, cluster=CLUSTER):
        """Opens the cluster's service accounts, filtered to one."""
        screen.wait_for(cluster)
        screen.keys(":")
        screen.type("sa %s" % cluster)
        screen.keys("Enter")
        screen.wait_for("Service accounts of %s" % cluster)
        screen.wait_idle()
        text = self.filter(screen, name)
        self.assertIsNotNone(row(text, namespace, name), text)
        return text

    def open_role(self, screen, name, term=None):
        """Opens the roles pane filtered by term (name by default)."""
        screen.wait_for(CLUSTER)
        screen.keys("3")
        screen.wait_for("IAM roles (")
        screen.wait_idle()
        text = self.filter(screen, term or name)
        self.assertIsNotNone(row(text, name), text)
        return text

    def trust_subjects(self, role):
        doc = self.aws("iam", "get-role", "--role-name", role)["Role"]
        trust = doc["AssumeRolePolicyDocument"]
        if isinstance(trust, str):
            trust = json.loads(trust)
        return [v for s in trust["Statement"]
                for keys in s.get("Condition", {}).values()
                for k, v in keys.items() if k.endswith(":sub")]

    def skip_optional_annotations(self, screen):
        """Leaves sts-regional-endpoints and token-expiration unset."""
        screen.wait_for("STS regional endpoints (optional)")
        screen.keys("Enter")
        screen.wait_for("Token expiration (optional)")
        screen.keys("Enter")

    def annotate_with(self, screen, namespace, name, role, sts, expiration):
        """Annotates namespace/name through A, typing the optional
        annotations' values; returns the screen after the last Enter."""
        self.open_service_account(screen, namespace, name)
        screen.keys("A")
        screen.wait_for("Annotate %s/%s with a role" % (namespace, name))
        self.filter(screen, role)
        screen.keys("Enter")
        screen.wait_for("STS regional endpoints (optional)")
        screen.type(sts)
        screen.keys("Enter")
        text = screen.wait_for("Token expiration (optional)")
        self.assertIn("600 to 86400", text)
        screen.type(expiration)
        screen.keys("Enter")

    def test_annotate_sets_optional_annotations(self):
        before = {ANNOTATION: BATCH_REPORTS_ARN}
        self.assertEqual(self.annotations("batch", "report-worker-3"), before)
        screen = self.open()
        # The same role: only the optional annotations change, and no
        # other test's filter starts matching this row.
        self.annotate_with(screen, "batch", "report-worker-3",
                           "role/batch-reports", "true", "7200")
        text = screen.wait_for("Confirm annotate", "PATCH")
        self.assertTrue(any(l.strip().startswith("+") and STS + ": true" in l
                            for l in text.splitlines()), text)
        self.assertTrue(any(l.strip().startswith("+") and
                            EXPIRATION + ": 7200" in l
                            for l in text.splitlines()), text)
        self.assertEqual(self.annotations("batch", "report-worker-3"), before,
                         "sent before the confirmation")
        screen.keys("y")
        screen.wait_for("done: ")
        self.assertEqual(self.annotations("batch", "report-worker-3"), {
            ANNOTATION: BATCH_REPORTS_ARN, STS: "true", EXPIRATION: "7200"})

    def test_annotate_bad_expiration_rejected(self):
        since = len(self.box.output())
        screen = self.open()
        self.annotate_with(screen, "batch", "report-worker-4",
                           "irsa/external-dns", "", "90000")
        text = screen.wait_for('invalid token expiration "90000"')
        self.assertIn("use 600 to 86400 seconds", text)
        self.assertNotIn("Confirm annotate", text)
        self.assertEqual(self.kube_writes(since), [])

    def test_annotate_shows_role_in_pane(self):
        self.assertNotIn(ANNOTATION, self.annotations("shop", "storefront"))
        screen = self.open()
        self.open_service_account(screen, "shop", "storefront")
        self.assertIn("A annotate", screen.lines()[HEIGHT - 1])
        screen.keys("A")
        screen.wait_for("Annotate shop/storefront with a role")
        self.filter(screen, "irsa/external-dns")
        screen.keys("Enter")
        self.skip_optional_annotations(screen)
        text = screen.wait_for("Confirm annotate", "Calls (1)", "PATCH")
        self.assertIn("+", text)
        self.assertIn(EXTERNAL_DNS_ARN, text)
        screen.keys("y")
        text = screen.wait_for("done: ", "Service accounts of %s" % CLUSTER)
        text = screen.wait_for(EXTERNAL_DNS_ARN)
        line = row(text, "shop", "storefront")
        self.assertIsNotNone(line, text)
        self.assertIn(EXTERNAL_DNS_ARN, line)
        self.assertEqual(self.annotations("shop", "storefront").get(ANNOTATION),
                         EXTERNAL_DNS_ARN)

    def test_attach_policy_shows_in_detail(self):
        def attached():
            return [p["PolicyArn"] for p in self.aws(
                "iam", "list-attached-role-policies", "--role-name",
                "batch-reports")["AttachedPolicies"]]
        self.assertEqual(attached(), [])
        screen = self.open()
        self.open_role(screen, "batch-reports")
        screen.keys("A")
        screen.wait_for("Attach a policy to batch-reports")
        # No loaded role lists it yet: the name is taken as typed.
        self.filter(screen, LBC_POLICY)
        screen.keys("Enter")
        text = screen.wait_for("Confirm attach", "AttachRolePolicy")
        self.assertIn(LBC_POLICY_ARN, text)
        self.assertEqual(attached(), [], "sent before the confirmation")
        screen.keys("y")
        screen.wait_for("done: ")
        self.assertEqual(attached(), [LBC_POLICY_ARN])
        screen.keys("d")
        text = screen.wait_for("Role batch-reports", "Attached policies (1)")
        self.assertIn(LBC_POLICY_ARN, text)

    def test_edit_trust_policy_shows_diff(self):
        editor = os.path.join(self.box.dir.name, "narrow-trust.sh")
        with open(editor, "w") as f:
            f.write("#!/bin/sh\nsed -i 's/%s/%s/' \"$1\"\n"
                    % (BROAD_SUB.replace("*", "\\*"), NARROW_SUB))
        os.chmod(editor, 0o700)
        self.assertEqual(self.trust_subjects("external-dns"), [BROAD_SUB])
        screen = self.open(EDITOR=editor, VISUAL="")
        self.open_role(screen, "external-dns")
        screen.keys("e")
        text = screen.wait_for("Confirm update trust policy", "@@ -")
        lines = [l.strip() for l in text.splitlines()]
        self.assertTrue(any(l.startswith("-") and BROAD_SUB in l for l in lines),
                        text)
        self.assertTrue(any(l.startswith("+") and NARROW_SUB in l for l in lines),
                        text)
        self.assertIn("UpdateAssumeRolePolicy", text)
        self.assertEqual(self.trust_subjects("external-dns"), [BROAD_SUB],
                         "sent before the confirmation")
        screen.keys("y")
        screen.wait_for("done: ")
        self.assertEqual(self.trust_subjects("external-dns"), [NARROW_SUB])

    def test_edit_trust_cancelled_sends_nothing(self):
        editor = os.path.join(self.box.dir.name, "touch-nothing.sh")
        with open(editor, "w") as f:
            f.write("#!/bin/sh\nsed -i 's/sts:AssumeRoleWithWebIdentity/"
                    "sts:AssumeRole/' \"$1\"\n")
        os.chmod(editor, 0o700)
        before = self.trust_subjects("batch-reports")
        screen = self.open(EDITOR=editor, VISUAL="")
        self.open_role(screen, "batch-reports")
        screen.keys("e")
        screen.wait_for("Confirm update trust policy")
        screen.keys("Escape")
        screen.wait_for("cancelled: nothing was sent")
        doc = self.aws("iam", "get-role", "--role-name", "batch-reports")
        self.assertIn("AssumeRoleWithWebIdentity", json.dumps(doc))
        self.assertEqual(self.trust_subjects("batch-reports"), before)

    def kube_writes(self, since):
        """The Kubernetes writes the sandbox logged after offset since."""
        return re.findall(r"^albatross-sandbox: (POST|PUT|PATCH|DELETE) "
                          r"(/k8s/\S+) \d{3}", self.box.output()[since:], re.M)

    def test_readonly_rejects_annotation(self):
        self.assertNotIn(ANNOTATION, self.annotations("monitoring", "prometheus"))
        since = len(self.box.output())
        screen = self.open("--readonly")
        self.open_service_account(screen, "monitoring", "prometheus")
        screen.keys("A")
        screen.wait_for("Annotate monitoring/prometheus with a role")
        self.filter(screen, "irsa/external-dns")
        screen.keys("Enter")
        self.skip_optional_annotations(screen)
        screen.wait_for("Confirm annotate", "session is read-only")
        screen.keys("y")
        text = screen.wait_for("rejected: the session is read-only")
        self.assertIn("nothing was sent", text)
        self.assertNotIn(ANNOTATION, self.annotations("monitoring", "prometheus"))
        self.assertEqual(self.kube_writes(since), [])
        screen.keys("?")
        text = screen.wait_for("Help: keys of the service accounts pane")
        line = next(l for l in text.splitlines() if l.startswith("A "))
        self.assertIn("(the read-only session rejec", line)

    def test_readonly_rejects_attach(self):
        screen = self.open("--readonly")
        self.open_role(screen, "platform-aws-load-balancer-controller")
        screen.keys("A")
        screen.wait_for("Attach a policy to platform-aws-load-balancer-controller")
        self.filter(screen, LBC_POLICY)
        screen.keys("Enter")
        screen.wait_for("Confirm attach", "session is read-only")
        screen.keys("y")
        screen.wait_for("rejected: the session is read-only")
        attached = self.aws("iam", "list-attached-role-policies", "--role-name",
                            "platform-aws-load-balancer-controller")
        self.assertEqual(attached["AttachedPolicies"], [])

    def test_help_lists_action_keys(self):
        screen = self.open()
        self.open_role(screen, "batch-reports")
        screen.keys("?")
        text = screen.wait_for("Help: keys of the roles pane")
        for key, words in (("A", "Attach a managed policy"), ("D", "Detach"),
                           ("i", "Put an inline policy"), ("I", "Delete one"),
                           ("e", "Edit the trust policy"),
                           ("v", "Show the default version")):
            self.assertTrue(any(l.startswith(key + " ") and words in l
                                for l in text.splitlines()),
                            "%s %s not in help:\n%s" % (key, words, text))
        screen.keys("Escape")
        screen.keys("2")
        screen.wait_for("Service accounts of")
        screen.keys("?")
        text = screen.wait_for("Help: keys of the service accounts pane")
        for key, words in (("A", "Annotate"), ("U", "Remove the role"),
                           ("c", "Create a service account"), ("^D", "Delete"),
                           ("R", "Restart"), ("C", "Create an IAM role")):
            self.assertTrue(any(l.startswith(key + " ") and words in l
                                for l in text.splitlines()),
                            "%s %s not in help:\n%s" % (key, words, text))

    def test_role_stack_runs_in_progress_view(self):
        stack = "eksctl-%s-addon-iamserviceaccount-shop-cart" % CLUSTER
        screen = self.open(AWS_REGION="us-east-2")
        screen.wait_for(CLUSTER)
        self.box.kubectl("--context", self.context(), "-n", "shop", "create",
                         "serviceaccount", "cart")
        self.open_service_account(screen, "shop", "cart")
        screen.keys("C")
        screen.wait_for("Create a role for shop/cart")
        screen.type(LBC_POLICY)
        screen.keys("Enter")
        text = screen.wait_for("Confirm create role", "CreateStack", stack)
        self.assertIn("system:serviceaccount:shop:cart", text)
        screen.keys("y")
        screen.wait_for("Progress: ", "CREATE_COMPLETE")
        screen.wait_for("done: ")

        screen.keys("Escape")
        role_arn = self.annotations("shop", "cart").get(ANNOTATION)
        self.assertIsNotNone(role_arn)
        role = role_arn.rsplit("/", 1)[1]
        self.assertTrue(role.startswith(
            "eksctl-alb-demo-cluster-addon-iamserviceacco-Role1-"), role)
        text = screen.wait_for("Service accounts of %s" % CLUSTER, role[-12:])
        self.assertIn(role[-12:], row(text, "shop", "cart") or "", text)
        screen.keys("p")
        screen.wait_for("Progress: ", "CREATE_COMPLETE")

        stacks = self.aws("cloudformation", "describe-stacks", "--stack-name",
                          stack)["Stacks"]
        self.assertEqual(stacks[0]["StackStatus"], "CREATE_COMPLETE")
        self.assertEqual(self.trust_subjects(role),
                         ["system:serviceaccount:shop:cart"])

    def test_role_stack_goes_to_cluster_region(self):
        # staging is in eu-west-1 and the session in us-east-2, so the
        # DescribeCluster and the stack must go to eu-west-1.
        stack = "eksctl-staging-addon-iamserviceaccount-web-frontend"
        screen = self.open(AWS_REGION="us-east-2")
        self.open_service_account(screen, "web", "frontend", cluster="staging")
        screen.keys("C")
        screen.wait_for("Create a role for web/frontend")
        screen.keys("Enter")
        text = screen.wait_for("Confirm create role", "CreateStack", stack)
        self.assertIn("%s in eu-west-1" % stack, text)
        self.assertIn("system:serviceaccount:web:frontend", text)
        screen.keys("y")
        screen.wait_for("Progress: ", "CREATE_COMPLETE")
        screen.wait_for("done: ")

        stacks = self.aws("cloudformation", "describe-stacks", "--region",
                          "eu-west-1", "--stack-name", stack)["Stacks"]
        self.assertEqual(stacks[0]["StackStatus"], "CREATE_COMPLETE")
        self.assertIn(":eu-west-1:", stacks[0]["StackId"])
        res = self.box.aws("cloudformation", "describe-stacks", "--region",
                           "us-east-2", "--stack-name", stack, check=False)
        self.assertNotEqual(res.returncode, 0, "stack also in us-east-2")
        self.assertIn("does not exist", res.stderr)
        role_arn = self.annotations("web", "frontend", cluster="staging").get(
            ANNOTATION)
        self.assertIsNotNone(role_arn)
        self.assertEqual(self.trust_subjects(role_arn.rsplit("/", 1)[1]),
                         ["system:serviceaccount:web:frontend"])

    def test_delete_needs_typed_name(self):
        self.box.kubectl("--context", self.context(), "-n", "batch", "create",
                         "serviceaccount", "scratch")
        screen = self.open()
        self.open_service_account(screen, "batch", "scratch")
        screen.keys("C-d")
        screen.wait_for("Confirm delete serviceaccount", "DELETE",
                        "Type the name to confirm")
        screen.keys("Enter")
        screen.wait_for('type "scratch" exactly to confirm')
        self.annotations("batch", "scratch")  # still there
        screen.type("scratch")
        screen.keys("Enter")
        screen.wait_for("done: ")
        res = self.box.kubectl("--context", self.context(), "-n", "batch", "get",
                               "serviceaccount", "scratch", check=False)
        self.assertNotEqual(res.returncode, 0)
        self.assertIn("NotFound", res.stderr)

    def test_put_inline_from_editor(self):
        editor = os.path.join(self.box.dir.name, "write-policy.sh")
        with open(editor, "w") as f:
            f.write("#!/bin/sh\nsed -i 's/\"Action\": \\[\\]/\"Action\": "
                    "[\"s3:GetObject\"]/' \"$1\"\n")
        os.chmod(editor, 0o700)
        screen = self.open(EDITOR=editor, VISUAL="")
        self.open_role(screen, "external-dns")
        screen.keys("i")
        screen.wait_for("Put an inline policy on external-dns")
        screen.type("read-objects")
        screen.keys("Enter")
        screen.wait_for("Inline policy document")
        screen.keys("Enter")  # no file: the editor writes it
        text = screen.wait_for("Confirm put inline policy", "PutRolePolicy")
        self.assertTrue(any(l.strip().startswith("+") and "s3:GetObject" in l
                            for l in text.splitlines()), text)
        screen.keys("y")
        screen.wait_for("done: ")
        doc = self.aws("iam", "get-role-policy", "--role-name", "external-dns",
                       "--policy-name", "read-objects")["PolicyDocument"]
        self.assertIn("s3:GetObject", json.dumps(doc))

    def policy_from_file(self, screen, name, doc):
        path = os.path.join(self.box.dir.name, name + ".json")
        with open(path, "w") as f:
            json.dump(doc, f)
        self.open_role(screen, "external-dns")
        screen.keys("N")
        screen.wait_for("Create a customer managed policy")
        screen.type(name)
        screen.keys("Enter")
        screen.wait_for("Policy document")
        screen.type(path)
        screen.keys("Enter")
        return screen.wait_for("Confirm create policy", "CreatePolicy")

    def test_create_policy_from_file(self):
        doc = {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": ["sqs:SendMessage"], "Resource": "*"}]}
        screen = self.open()
        text = self.policy_from_file(screen, "queue-writer", doc)
        self.assertIn("sqs:SendMessage", text)
        arn = "arn:aws:iam::%s:policy/queue-writer" % ACCOUNT
        res = self.box.aws("iam", "get-policy", "--policy-arn", arn, check=False)
        self.assertNotEqual(res.returncode, 0, "sent before the confirmation")
        screen.keys("y")
        screen.wait_for("done: ", arn)
        policy = self.aws("iam", "get-policy", "--policy-arn", arn)["Policy"]
        version = self.aws("iam", "get-policy-version", "--policy-arn", arn,
                           "--version-id", policy["DefaultVersionId"])
        self.assertEqual(version["PolicyVersion"]["Document"], doc)

    def test_readonly_rejects_create_policy(self):
        doc = {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": ["sqs:ReceiveMessage"], "Resource": "*"}]}
        screen = self.open("--readonly")
        self.policy_from_file(screen, "queue-reader", doc)
        screen.keys("y")
        screen.wait_for("rejected: the session is read-only")
        res = self.box.aws("iam", "get-policy", "--policy-arn",
                           "arn:aws:iam::%s:policy/queue-reader" % ACCOUNT, check=False)
        self.assertIn("NoSuchEntity", res.stderr)

    def test_show_policy_default_version(self):
        screen = self.open()
        self.open_role(screen, "eksctl-staging-addon-iamserviceaccount-kube-"
                       "Role1-P0O9I8U7Y6T5", "staging-addon")
        # The first v loads the role's policies; once loaded, v picks.
        screen.keys("v")
        if "Show the default version" not in screen.wait_idle():
            screen.keys("v")
        screen.wait_for("Show the default version")
        screen.keys("Enter")
        text = screen.wait_for("Default version of %s" % LBC_POLICY_ARN)
        self.assertIn("iam:CreateServiceLinkedRole", text)
        self.assertIn("elasticloadbalancing.amazonaws.com", text)

    def test_unannotate_clears_role_column(self):
        self.assertEqual(self.annotations("external-dns", "external-dns")
                         .get(ANNOTATION), EXTERNAL_DNS_ARN)
        screen = self.open()
        text = self.open_service_account(screen, "external-dns", "external-dns")
        self.assertIn(EXTERNAL_DNS_ARN, row(text, "external-dns", "external-dns"))
        screen.keys("U")
        screen.wait_for("Confirm remove serviceaccount annotation", "PATCH")
        screen.keys("y")
        screen.wait_for("done: ")
        # Other rows may name the role too, so the row itself is read.
        deadline = time.monotonic() + 20
        line = row(screen.settled_text(), "external-dns", "external-dns")
        while EXTERNAL_DNS_ARN in line and time.monotonic() < deadline:
            time.sleep(0.1)
            line = row(screen.settled_text(), "external-dns", "external-dns")
        self.assertRegex(line, r"\s-\s+none\s*$")
        self.assertNotIn(ANNOTATION, self.annotations("external-dns", "external-dns"))

    def test_create_service_account(self):
        screen = self.open()
        self.open_service_account(screen, "shop", "storefront")
        screen.keys("c")
        screen.wait_for("Create a service account in %s" % CLUSTER, "shop/")
        screen.type("checkout")
        screen.keys("Enter")
        screen.wait_for("Confirm create serviceaccount", "POST")
        screen.keys("y")
        screen.wait_for("done: ")
        screen.keys("Escape")  # the filter still shows storefront only
        text = screen.wait_for("checkout")
        self.assertIsNotNone(row(text, "shop", "checkout"), text)
        self.assertEqual(self.annotations("shop", "checkout"), {})

    def test_restart_patches_workloads(self):
        subprocess.run(["kubectl", "--context", self.context(), "apply", "-f", "-"],
                       input=DEPLOYMENT, env=self.box.client_env(), check=True,
                       capture_output=True, text=True, timeout=60)
        since = len(self.box.output())
        screen = self.open()
        self.open_service_account(screen, "batch", "report-worker-2")
        screen.keys("R")
        text = screen.wait_for("Confirm restart serviceaccount workloads",
                               "/deployments/reports")
        self.assertEqual(self.kube_writes(since), [], "sent before the confirmation")
        screen.keys("y")
        screen.wait_for("done: ")
        writes = self.kube_writes(since)
        self.assertEqual([m for m, _ in writes], ["PATCH"])
        self.assertIn("/deployments/reports", writes[0][1])
        out = self.box.kubectl("--context", self.context(), "-n", "batch", "get",
                               "deployment", "reports", "-o", "json").stdout
        template = json.loads(out)["spec"]["template"]["metadata"]
        self.assertIn(RESTARTED, template.get("annotations") or {})
