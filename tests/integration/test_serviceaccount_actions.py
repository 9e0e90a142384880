"""The service account actions of the shared action layer: albatross
restart serviceaccount, and annotate, remove, create and delete as the UI
runs them (through build/tools/action_tool, which drives src/action.h
the way the UI does and prints the preview and the progress).

kubectl judges the objects; the sandbox's log shows that dry runs and
--readonly send no write.
"""

import json
import os
import re
import subprocess
import unittest

import sandbox
from sandbox import Sandbox

DEMO = os.path.join(sandbox.WORLDS, "demo.yaml")
CLUSTER = "alb-demo-cluster"
TOOL = os.path.join(sandbox.ROOT, os.environ.get("ALBATROSS_BUILD", "build"),
                    "tools", "action_tool")
ROLE_ANNOTATION = "eks.amazonaws.com/role-arn"
STS_ANNOTATION = "eks.amazonaws.com/sts-regional-endpoints"
RESTARTED = "kubectl.kubernetes.io/restartedAt"
ROLE = "arn:aws:iam::111122223333:role/shop-reader"
WORKLOADS = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      serviceAccountName: storefront
      containers: [{name: web, image: nginx}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: shop}
spec:
  serviceName: db
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      serviceAccountName: storefront
      containers: [{name: db, image: postgres}]
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: shop}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      containers: [{name: agent, image: busybox}]
"""


def setUpModule():
    global SB, CONTEXT
    SB = Sandbox(world=DEMO).start()
    CONTEXT = next(n for n in SB.kubectl("config", "get-contexts", "-o", "name").stdout.split()
                   if n.endswith("cluster/" + CLUSTER))
    subprocess.run(["kubectl", "--context", CONTEXT, "apply", "-f", "-"], input=WORKLOADS,
                   env=SB.client_env(), capture_output=True, text=True, check=True)


def tearDownModule():
    SB.stop()


def kubectl_json(*args, check=True):
    res = SB.kubectl("--context", CONTEXT, *args, "-o", "json", check=check)
    return json.loads(res.stdout) if res.returncode == 0 else None


def template_annotations(kind, name):
    obj = kubectl_json("get", kind, name, "-n", "shop")
    return obj["spec"]["template"]["metadata"].get("annotations", {})


def annotations(ns, name):
    obj = kubectl_json("get", "serviceaccount", name, "-n", ns, check=False)
    return None if obj is None else obj["metadata"].get("annotations", {})


def logged(fn):
    """Runs fn(); returns its result and the Kubernetes writes the sandbox
    served meanwhile, as (method, path)."""
    before = len(SB.output())
    res = fn()
    log = SB.output()[before:]
    return res, re.findall(r"^albatross-sandbox: (POST|PUT|PATCH|DELETE) (/k8s/\S+) \d{3}",
                           log, re.M)


def tool(*args):
    return subprocess.run([TOOL, "--cluster", CLUSTER] + list(args), env=SB.client_env(),
                          capture_output=True, text=True, timeout=60)


class Restart(unittest.TestCase):

    def test_dry_run_lists_matching_workloads(self):
        res, writes = logged(lambda: SB.albatross(
            "restart", "serviceaccount", "storefront", "-n", "shop", "--cluster", CLUSTER,
            "--dry-run"))
        self.assertEqual(writes, [])
        patches = re.findall(r"^PATCH (\S+)$", res.stdout, re.M)
        self.assertEqual(patches, [
            "/apis/apps/v1/namespaces/shop/deployments/web?fieldManager=albatross",
            "/apis/apps/v1/namespaces/shop/statefulsets/db?fieldManager=albatross"])
        self.assertIn('"%s":"' % RESTARTED, res.stdout)
        self.assertIn("dry run: no change was sent", res.stdout)

    def test_restart_patches_pod_templates_as_kubectl_does(self):
        res, writes = logged(lambda: SB.albatross(
            "restart", "serviceaccount", "shop/storefront", "--cluster", CLUSTER))
        self.assertEqual(res.stdout, "deployment.apps/web restarted\n"
                                     "statefulset.apps/db restarted\n")
        self.assertEqual([m for m, _ in writes], ["PATCH", "PATCH"])
        self.assertRegex(template_annotations("deployment", "web")[RESTARTED],
                         r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        self.assertIn(RESTARTED, template_annotations("statefulset", "db"))
        # The DaemonSet runs as the namespace's default account.
        self.assertNotIn(RESTARTED, template_annotations("daemonset", "agent"))

    def test_account_without_workloads(self):
        res, writes = logged(lambda: SB.albatross(
            "restart", "serviceaccount", "payments-api", "-n", "payments", "--cluster",
            CLUSTER))
        self.assertIn("nothing to restart", res.stdout)
        self.assertEqual(writes, [])

    def test_readonly_sends_no_patch(self):
        res, writes = logged(lambda: SB.albatross(
            "restart", "serviceaccount", "default", "-n", "shop", "--cluster", CLUSTER,
            "--readonly", check=False))
        self.assertEqual(res.returncode, 1)
        self.assertIn("ReadOnly", res.stderr)
        self.assertEqual(writes, [])
        self.assertNotIn(RESTARTED, template_annotations("daemonset", "agent"))

    def test_needs_a_namespace(self):
        res = SB.albatross("restart", "serviceaccount", "storefront", "--cluster", CLUSTER,
                           check=False)
        self.assertEqual(res.returncode, 2)
        self.assertIn("needs NAME -n NAMESPACE, or NAMESPACE/NAME", res.stderr)


class AccountActions(unittest.TestCase):
    """The kinds the UI runs, driven by action_tool in the UI's place."""

    def test_annotate_previews_diff_then_writes(self):
        res, writes = logged(lambda: tool("--dry-run", "annotate-serviceaccount",
                                          "namespace=monitoring",
                                          "service_account=prometheus",
                                          "role_arn=" + ROLE, "sts_regional=true"))
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertEqual(writes, [])
        self.assertIn("diff of the serviceaccount monitoring/prometheus:", res.stdout)
        self.assertIn("  +     %s: %s\n" % (ROLE_ANNOTATION, ROLE), res.stdout)
        self.assertEqual(annotations("monitoring", "prometheus"), {})

        res, writes = logged(lambda: tool("annotate-serviceaccount", "namespace=monitoring",
                                          "service_account=prometheus", "role_arn=" + ROLE,
                                          "sts_regional=true"))
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertIn("step Kubernetes PATCH: done", res.stdout)
        self.assertEqual(annotations("monitoring", "prometheus"),
                         {ROLE_ANNOTATION: ROLE, STS_ANNOTATION: "true"})

        res = tool("remove-serviceaccount-annotation", "namespace=monitoring",
                   "service_account=prometheus")
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertIn("  -     %s: %s\n" % (ROLE_ANNOTATION, ROLE), res.stdout)
        self.assertEqual(annotations("monitoring", "prometheus"), {})

    def test_create_and_delete(self):
        res = tool("create-serviceaccount", "namespace=default", "service_account=made",
                   "role_arn=" + ROLE)
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertEqual(annotations("default", "made"), {ROLE_ANNOTATION: ROLE})

        res, writes = logged(lambda: tool("create-serviceaccount", "namespace=default",
                                          "service_account=made"))
        self.assertEqual(res.returncode, 1)
        self.assertIn("AlreadyExists", res.stderr)
        self.assertEqual(writes, [])

        res = tool("delete-serviceaccount", "namespace=default", "service_account=made")
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertIn("  -     %s: %s\n" % (ROLE_ANNOTATION, ROLE), res.stdout)
        self.assertIsNone(annotations("default", "made"))

    def test_missing_account_fails_before_writing(self):
        res, writes = logged(lambda: tool("annotate-serviceaccount", "namespace=default",
                                          "service_account=ghost", "role_arn=" + ROLE))
        self.assertEqual(res.returncode, 1)
        self.assertIn("NotFound", res.stderr)
        self.assertEqual(writes, [])

    def test_readonly_refuses_each_kind(self):
        cases = [
            ("annotate-serviceaccount", "namespace=shop", "service_account=storefront",
             "role_arn=" + ROLE),
            ("remove-serviceaccount-annotation", "namespace=aws-system",
             "service_account=alb-ingress-controller"),
            ("create-serviceaccount", "namespace=default", "service_account=ro"),
            ("delete-serviceaccount", "namespace=shop", "service_account=storefront"),
            ("restart-serviceaccount-workloads", "namespace=shop",
             "service_account=storefront"),
        ]
        for args in cases:
            with self.subTest(kind=args[0]):
                res, writes = logged(lambda: tool("--readonly", *args))
                self.assertEqual(res.returncode, 1, res.stdout)
                self.assertIn("ReadOnly", res.stderr)
                self.assertIn("step Kubernetes ", res.stdout)
                self.assertRegex(res.stdout, r"step Kubernetes \w+: failed")
                self.assertEqual(writes, [])


if __name__ == "__main__":
    unittest.main()
