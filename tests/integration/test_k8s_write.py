"""Kubernetes writes to the sandbox, judged by kubectl.

kubectl checks create, annotate, patch, server-side apply (with field
managers and conflicts), delete with its DELETED watch event, dry runs,
and the stored kinds: Deployments, RBAC, ingress classes,
CustomResourceDefinitions and their custom resources. Plain HTTPS checks
the Status errors for conflicts and bad bodies."""

import http.client
import json
import os
import tempfile
import unittest

import yaml

import sandbox
from sandbox import Sandbox
from test_sandbox_k8s import Client, first_cluster, make_token

DEMO = os.path.join(sandbox.WORLDS, "demo.yaml")
ROLE_ANNOTATION = "eks.amazonaws.com/role-arn"

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: default
  labels: {app: web}
spec:
  replicas: %d
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: nginx:1.27
"""

CLUSTER_ROLE = """\
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: pod-reader
rules:
  - apiGroups: [""]
    resources: [pods]
    verbs: [get, list]
"""

CRD = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: targetgroupbindings.elbv2.k8s.aws
spec:
  group: elbv2.k8s.aws
  names:
    kind: TargetGroupBinding
    listKind: TargetGroupBindingList
    plural: targetgroupbindings
    singular: targetgroupbinding
    shortNames: [tgb]
  scope: Namespaced
  versions:
    - name: v1beta1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          x-kubernetes-preserve-unknown-fields: true
"""

BINDING = """\
apiVersion: elbv2.k8s.aws/v1beta1
kind: TargetGroupBinding
metadata:
  name: web-tgb
  namespace: default
spec:
  serviceRef: {name: web, port: 80}
  targetGroupARN: arn:aws:elasticloadbalancing:us-east-2:111122223333:targetgroup/web/0123456789abcdef
"""


INGRESS_CLASS = """\
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata:
  name: internal-alb
  annotations:
    ingressclass.kubernetes.io/is-default-class: "false"
spec:
  controller: ingress.k8s.aws/alb
  parameters:
    apiGroup: elbv2.k8s.aws
    kind: IngressClassParams
    name: internal
"""


def managers(obj):
    """(manager, operation) of each managedFields entry."""
    return [(m["manager"], m["operation"]) for m in obj["metadata"].get("managedFields", [])]


class KubernetesWriteTest(unittest.TestCase):
    """One sandbox for the class; each test uses objects of its own."""

    @classmethod
    def setUpClass(cls):
        cls.box = Sandbox(world=DEMO).start()
        cls.cluster = first_cluster(DEMO)
        cls.base = "/k8s/%s/%s" % (cls.cluster["region"], cls.cluster["name"])
        cls.client = Client(cls.box)
        cls.files = tempfile.TemporaryDirectory()

    @classmethod
    def tearDownClass(cls):
        cls.client.close()
        cls.box.stop()
        cls.files.cleanup()

    # ---- helpers ----------------------------------------------------------

    def kubectl(self, *args, check=True):
        return self.box.kubectl("--context", self.context(), *args, check=check)

    def context(self):
        with open(self.box.env["KUBECONFIG"]) as f:
            config = yaml.safe_load(f)
        for ctx in config["contexts"]:
            if ctx["name"].endswith("cluster/" + self.cluster["name"]):
                return ctx["name"]
        raise AssertionError("kubeconfig has no context for cluster " + self.cluster["name"])

    def get_json(self, *args):
        return json.loads(self.kubectl("get", *args, "-o", "json",
                                       "--show-managed-fields").stdout)

    def apply(self, text, *flags, check=True):
        """kubectl apply --server-side of text, with kubectl's default
        validation, which reads the sandbox's OpenAPI v3 documents."""
        path = os.path.join(self.files.name, "manifest.yaml")
        with open(path, "w") as f:
            f.write(text)
        return self.kubectl("apply", "--server-side", *flags, "-f", path,
                            check=check)

    def request(self, method, path, body=None, content_type="application/json"):
        """One HTTPS request to the cluster; returns (status, document)."""
        token = make_token(self.box.env, self.cluster["region"], self.cluster["name"])
        headers = {"Authorization": "Bearer " + token}
        if body is not None:
            headers["Content-Type"] = content_type
            if not isinstance(body, (str, bytes)):
                body = json.dumps(body)
        self.client.conn.request(method, self.base + path, body=body, headers=headers)
        res = self.client.conn.getresponse()
        return res.status, json.loads(res.read())

    def list_version(self):
        status, doc = self.request("GET", "/api/v1/serviceaccounts?limit=1")
        self.assertEqual(status, 200)
        return int(doc["metadata"]["resourceVersion"])

    # ---- service accounts -------------------------------------------------

    def test_create_serviceaccount(self):
        before = self.list_version()
        self.kubectl("create", "serviceaccount", "created-sa", "-n", "default")
        sa = self.get_json("serviceaccount", "created-sa", "-n", "default")
        self.assertEqual(sa["kind"], "ServiceAccount")
        self.assertTrue(sa["metadata"]["uid"])
        self.assertTrue(sa["metadata"]["creationTimestamp"])
        self.assertEqual(sa["metadata"]["generation"], 1)
        self.assertGreater(int(sa["metadata"]["resourceVersion"]), before)
        self.assertEqual(self.list_version(), int(sa["metadata"]["resourceVersion"]))
        names = self.kubectl("get", "serviceaccounts", "-n", "default", "-o", "name").stdout
        self.assertIn("serviceaccount/created-sa", names.split())

    def test_create_existing_conflicts(self):
        self.kubectl("create", "serviceaccount", "twice", "-n", "default")
        res = self.kubectl("create", "serviceaccount", "twice", "-n", "default", check=False)
        self.assertNotEqual(res.returncode, 0)
        self.assertIn('serviceaccounts "twice" already exists', res.stderr)
        status, doc = self.request("POST", "/api/v1/namespaces/default/serviceaccounts",
                                   {"metadata": {"name": "twice"}})
        self.assertEqual(status, 409)
        self.assertEqual(doc["reason"], "AlreadyExists")

    def test_create_in_missing_namespace(self):
        res = self.kubectl("create", "serviceaccount", "lost", "-n", "no-such-ns", check=False)
        self.assertNotEqual(res.returncode, 0)
        self.assertIn('namespaces "no-such-ns" not found', res.stderr)

    def test_invalid_name_rejected(self):
        status, doc = self.request("POST", "/api/v1/namespaces/default/serviceaccounts",
                                   {"metadata": {"name": "Not_Valid"}})
        self.assertEqual(status, 422)
        self.assertEqual(doc["reason"], "Invalid")
        self.assertIn('ServiceAccount "Not_Valid" is invalid: metadata.name: Invalid value',
                      doc["message"])
        self.assertEqual(doc["details"]["causes"][0]["field"], "metadata.name")

    def test_annotate_serviceaccount(self):
        self.kubectl("create", "serviceaccount", "annotated", "-n", "default")
        arn = "arn:aws:iam::111122223333:role/annotated"
        self.kubectl("annotate", "serviceaccount", "annotated", "-n", "default",
                     "%s=%s" % (ROLE_ANNOTATION, arn))
        sa = self.get_json("serviceaccount", "annotated", "-n", "default")
        self.assertEqual(sa["metadata"]["annotations"][ROLE_ANNOTATION], arn)
        self.assertIn(("kubectl-annotate", "Update"), managers(sa))
        self.kubectl("annotate", "serviceaccount", "annotated", "-n", "default",
                     ROLE_ANNOTATION + "-")
        sa = self.get_json("serviceaccount", "annotated", "-n", "default")
        self.assertNotIn("annotations", sa["metadata"])

    def test_patch_types(self):
        self.kubectl("create", "serviceaccount", "patched", "-n", "default")
        self.kubectl("patch", "serviceaccount", "patched", "-n", "default", "--type=merge",
                     "-p", '{"metadata":{"labels":{"team":"a"}}}')
        self.kubectl("patch", "serviceaccount", "patched", "-n", "default", "--type=strategic",
                     "-p", '{"automountServiceAccountToken":false}')
        self.kubectl("patch", "serviceaccount", "patched", "-n", "default", "--type=json",
                     "-p", '[{"op":"add","path":"/metadata/labels/tier","value":"b"}]')
        sa = self.get_json("serviceaccount", "patched", "-n", "default")
        self.assertEqual(sa["metadata"]["labels"], {"team": "a", "tier": "b"})
        self.assertIs(sa["automountServiceAccountToken"], False)
        selected = self.kubectl("get", "sa", "-n", "default", "-l", "tier=b", "-o", "name").stdout
        self.assertEqual(selected.split(), ["serviceaccount/patched"])

    def test_json_patch_test_failure(self):
        self.kubectl("create", "serviceaccount", "tested", "-n", "default")
        res = self.kubectl("patch", "serviceaccount", "tested", "-n", "default", "--type=json",
                           "-p", '[{"op":"test","path":"/metadata/name","value":"other"}]',
                           check=False)
        self.assertNotEqual(res.returncode, 0)
        self.assertIn("test did not match", res.stderr)

    def test_replace_stale_version_conflicts(self):
        self.kubectl("create", "serviceaccount", "replaced", "-n", "default")
        path = "/api/v1/namespaces/default/serviceaccounts/replaced"
        status, sa = self.request("GET", path)
        self.assertEqual(status, 200)
        stale = dict(sa, metadata=dict(sa["metadata"]))
        sa["metadata"]["labels"] = {"round": "1"}
        status, doc = self.request("PUT", path, sa)
        self.assertEqual(status, 200, doc)
        self.assertGreater(int(doc["metadata"]["resourceVersion"]),
                           int(stale["metadata"]["resourceVersion"]))
        stale["metadata"]["labels"] = {"round": "2"}
        status, doc = self.request("PUT", path, stale)
        self.assertEqual(status, 409)
        self.assertEqual(doc["reason"], "Conflict")
        self.assertEqual(doc["message"], 'Operation cannot be fulfilled on serviceaccounts '
                         '"replaced": the object has been modified; please apply your changes '
                         'to the latest version and try again')
        sa = self.get_json("serviceaccount", "replaced", "-n", "default")
        self.assertEqual(sa["metadata"]["labels"], {"round": "1"})

    def test_replace_missing_not_found(self):
        status, doc = self.request("PUT", "/api/v1/namespaces/default/serviceaccounts/ghost",
                                   {"metadata": {"name": "ghost"}})
        self.assertEqual(status, 404)
        self.assertEqual(doc["message"], 'serviceaccounts "ghost" not found')

    def test_name_mismatch_rejected(self):
        self.kubectl("create", "serviceaccount", "named", "-n", "default")
        status, doc = self.request("PUT", "/api/v1/namespaces/default/serviceaccounts/named",
                                   {"metadata": {"name": "other"}})
        self.assertEqual(status, 400)
        self.assertEqual(doc["message"], "the name of the object (other) does not match "
                         "the name on the URL (named)")

    def test_dry_run_changes_nothing(self):
        before = self.list_version()
        out = self.kubectl("create", "serviceaccount", "dry", "-n", "default",
                           "--dry-run=server", "-o", "json").stdout
        self.assertEqual(json.loads(out)["metadata"]["name"], "dry")
        res = self.kubectl("get", "serviceaccount", "dry", "-n", "default", check=False)
        self.assertIn('serviceaccounts "dry" not found', res.stderr)
        self.assertEqual(self.list_version(), before)

    def test_delete_serviceaccount(self):
        self.kubectl("create", "serviceaccount", "doomed", "-n", "default")
        self.kubectl("delete", "serviceaccount", "doomed", "-n", "default")
        res = self.kubectl("get", "serviceaccount", "doomed", "-n", "default", check=False)
        self.assertNotEqual(res.returncode, 0)
        self.assertIn('serviceaccounts "doomed" not found', res.stderr)
        res = self.kubectl("delete", "serviceaccount", "doomed", "-n", "default", check=False)
        self.assertIn('serviceaccounts "doomed" not found', res.stderr)

    def test_delete_sends_watch_event(self):
        self.kubectl("create", "serviceaccount", "watched", "-n", "default")
        version = self.list_version()
        token = make_token(self.box.env, self.cluster["region"], self.cluster["name"])
        conn = http.client.HTTPSConnection("127.0.0.1", self.client.port,
                                           context=self.client.context, timeout=20)
        try:
            conn.request("GET", self.base + "/api/v1/namespaces/default/serviceaccounts"
                         "?watch=true&timeoutSeconds=10&resourceVersion=%d" % version,
                         headers={"Authorization": "Bearer " + token})
            res = conn.getresponse()
            self.assertEqual(res.status, 200)
            self.kubectl("delete", "serviceaccount", "watched", "-n", "default")
            event = None
            while event is None:
                line = res.readline()
                self.assertTrue(line, "the watch ended without an event")
                if line.strip():
                    event = json.loads(line)
        finally:
            conn.close()
        self.assertEqual(event["type"], "DELETED")
        self.assertEqual(event["object"]["metadata"]["name"], "watched")
        self.assertEqual(event["object"]["kind"], "ServiceAccount")
        self.assertGreater(int(event["object"]["metadata"]["resourceVersion"]), version)

    # ---- server-side apply -----------------------------------------------

    def test_apply_deployment(self):
        out = self.apply(DEPLOYMENT % 2).stdout
        self.assertIn("deployment.apps/web serverside-applied", out)
        deploy = self.get_json("deployment", "web", "-n", "default")
        self.assertEqual(deploy["apiVersion"], "apps/v1")
        self.assertEqual(deploy["spec"]["replicas"], 2)
        self.assertEqual(deploy["metadata"]["generation"], 1)
        self.assertEqual(managers(deploy), [("kubectl", "Apply")])
        fields = deploy["metadata"]["managedFields"][0]["fieldsV1"]
        self.assertIn("f:replicas", fields["f:spec"])
        self.apply(DEPLOYMENT % 3)
        deploy = self.get_json("deployment", "web", "-n", "default")
        self.assertEqual(deploy["spec"]["replicas"], 3)
        self.assertEqual(deploy["metadata"]["generation"], 2)
        selected = self.kubectl("get", "deployments", "-A", "-l", "app=web", "-o", "name")
        self.assertEqual(selected.stdout.split(), ["deployment.apps/web"])

    def test_apply_conflict_and_force(self):
        self.kubectl("create", "serviceaccount", "contested", "-n", "default")
        self.kubectl("annotate", "serviceaccount", "contested", "-n", "default",
                     ROLE_ANNOTATION + "=arn:aws:iam::111122223333:role/first")
        manifest = yaml.safe_dump({
            "apiVersion": "v1", "kind": "ServiceAccount",
            "metadata": {"name": "contested", "namespace": "default",
                         "annotations": {ROLE_ANNOTATION: "arn:aws:iam::111122223333:role/second"}},
        })
        res = self.apply(manifest, check=False)
        self.assertNotEqual(res.returncode, 0)
        self.assertIn('Apply failed with 1 conflict: conflict with "kubectl-annotate" using v1: '
                      '.metadata.annotations.' + ROLE_ANNOTATION, res.stderr)
        sa = self.get_json("serviceaccount", "contested", "-n", "default")
        self.assertTrue(sa["metadata"]["annotations"][ROLE_ANNOTATION].endswith("/first"))
        self.apply(manifest, "--force-conflicts")
        sa = self.get_json("serviceaccount", "contested", "-n", "default")
        self.assertTrue(sa["metadata"]["annotations"][ROLE_ANNOTATION].endswith("/second"))
        self.assertIn(("kubectl", "Apply"), managers(sa))
        self.assertNotIn(("kubectl-annotate", "Update"), managers(sa))

    def test_apply_removes_dropped_fields(self):
        with_label = DEPLOYMENT.replace("labels: {app: web}\nspec", "labels: {app: web, tier: x}\nspec", 1)
        manifest = with_label.replace("name: web\n", "name: pruned\n", 1)
        self.apply(manifest % 1)
        deploy = self.get_json("deployment", "pruned", "-n", "default")
        self.assertEqual(deploy["metadata"]["labels"], {"app": "web", "tier": "x"})
        self.apply((DEPLOYMENT % 1).replace("name: web\n", "name: pruned\n", 1))
        deploy = self.get_json("deployment", "pruned", "-n", "default")
        self.assertEqual(deploy["metadata"]["labels"], {"app": "web"})

    def test_apply_without_field_manager(self):
        status, doc = self.request("PATCH", "/api/v1/namespaces/default/serviceaccounts/nobody",
                                   "apiVersion: v1\nkind: ServiceAccount\n"
                                   "metadata: {name: nobody}\n",
                                   "application/apply-patch+yaml")
        self.assertEqual(status, 422)
        self.assertEqual(doc["message"], 'PatchOptions.meta.k8s.io "" is invalid: '
                         'fieldManager: Required value: is required for apply patch')

    def test_apply_cluster_role(self):
        out = self.apply(CLUSTER_ROLE).stdout
        self.assertIn("clusterrole.rbac.authorization.k8s.io/pod-reader serverside-applied", out)
        role = self.get_json("clusterrole", "pod-reader")
        self.assertEqual(role["rules"], [{"apiGroups": [""], "resources": ["pods"],
                                          "verbs": ["get", "list"]}])
        self.assertNotIn("namespace", role["metadata"])
        self.kubectl("delete", "clusterrole", "pod-reader")
        res = self.kubectl("get", "clusterrole", "pod-reader", check=False)
        self.assertIn('clusterroles.rbac.authorization.k8s.io "pod-reader" not found', res.stderr)

    def test_apply_ingress_class(self):
        before = self.kubectl("get", "ingressclasses", "-o", "name").stdout.split()
        self.apply(INGRESS_CLASS)
        ic = self.get_json("ingressclass", "internal-alb")
        self.assertEqual(ic["spec"]["parameters"]["name"], "internal")
        self.assertEqual(ic["metadata"]["annotations"],
                         {"ingressclass.kubernetes.io/is-default-class": "false"})
        self.assertEqual(managers(ic), [("kubectl", "Apply")])
        after = self.kubectl("get", "ingressclasses", "-o", "name").stdout.split()
        self.assertEqual(sorted(after), sorted(before + ["ingressclass.networking.k8s.io/internal-alb"]))
        self.kubectl("delete", "ingressclass", "internal-alb")
        after = self.kubectl("get", "ingressclasses", "-o", "name").stdout.split()
        self.assertEqual(after, before)

    def test_service_defaults_and_endpoints(self):
        self.kubectl("create", "service", "nodeport", "checkout-np", "-n", "payments",
                     "--tcp=80:8080")
        self.kubectl("label", "service", "checkout-np", "-n", "payments", "tier=web")
        self.kubectl("patch", "service", "checkout-np", "-n", "payments", "--type=merge",
                     "-p", '{"spec":{"selector":{"app":"checkout"}}}')
        svc = self.get_json("service", "checkout-np", "-n", "payments")
        self.assertEqual(svc["spec"]["type"], "NodePort")
        self.assertTrue(svc["spec"]["clusterIP"].startswith("10.100."))
        self.assertEqual(svc["spec"]["clusterIPs"], [svc["spec"]["clusterIP"]])
        port = svc["spec"]["ports"][0]
        self.assertEqual((port["port"], port["targetPort"], port["protocol"]), (80, 8080, "TCP"))
        self.assertTrue(30000 <= port["nodePort"] <= 32767)
        pods = json.loads(self.kubectl("get", "pods", "-n", "payments", "-l", "app=checkout",
                                       "-o", "json").stdout)["items"]
        endpoints = self.get_json("endpoints", "checkout-np", "-n", "payments")
        addresses = {a["ip"] for subset in endpoints.get("subsets", [])
                     for a in subset.get("addresses", [])}
        self.assertTrue(pods)
        self.assertEqual(addresses, {p["status"]["podIP"] for p in pods
                                     if p["status"].get("phase") == "Running"})
        self.kubectl("delete", "service", "checkout-np", "-n", "payments")
        res = self.kubectl("get", "endpoints", "checkout-np", "-n", "payments", check=False)
        self.assertIn('endpoints "checkout-np" not found', res.stderr)

    def test_service_bad_port_rejected(self):
        status, doc = self.request("POST", "/api/v1/namespaces/default/services",
                                   {"metadata": {"name": "bad-port"},
                                    "spec": {"ports": [{"port": 70000}]}})
        self.assertEqual(status, 422)
        self.assertEqual(doc["message"], 'Service "bad-port" is invalid: spec.ports[0].port: '
                         'Invalid value: must be between 1 and 65535, inclusive')

    def test_crd_then_custom_resource(self):
        res = self.kubectl("get", "targetgroupbindings", "-A", check=False)
        self.assertNotEqual(res.returncode, 0)
        self.apply(CRD)
        crd = self.get_json("crd", "targetgroupbindings.elbv2.k8s.aws")
        conditions = {c["type"]: c["status"] for c in crd["status"]["conditions"]}
        self.assertEqual(conditions["Established"], "True")
        resources = self.kubectl("api-resources", "--api-group=elbv2.k8s.aws").stdout
        self.assertIn("targetgroupbindings", resources)
        out = self.apply(BINDING).stdout
        self.assertIn("targetgroupbinding.elbv2.k8s.aws/web-tgb serverside-applied", out)
        binding = self.get_json("tgb", "web-tgb", "-n", "default")
        self.assertEqual(binding["kind"], "TargetGroupBinding")
        self.assertEqual(binding["spec"]["serviceRef"], {"name": "web", "port": 80})
        self.kubectl("delete", "crd", "targetgroupbindings.elbv2.k8s.aws")
        res = self.kubectl("get", "targetgroupbindings", "-A", check=False)
        self.assertNotEqual(res.returncode, 0)

    def test_crd_name_must_match(self):
        crd = yaml.safe_load(CRD)
        crd["metadata"]["name"] = "bindings.elbv2.k8s.aws"
        status, doc = self.request(
            "POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd)
        self.assertEqual(status, 422)
        self.assertIn('metadata.name: Invalid value: "bindings.elbv2.k8s.aws": must be '
                      'spec.names.plural+"."+spec.group', doc["message"])

    # ---- bad bodies ---------------------------------------------------------

    def test_bad_json_rejected(self):
        status, doc = self.request("POST", "/api/v1/namespaces/default/serviceaccounts",
                                   '{"metadata": {"name": "x"')
        self.assertEqual(status, 400)
        self.assertEqual(doc["reason"], "BadRequest")
        self.assertIn("not valid JSON", doc["message"])

    def test_bad_yaml_apply_rejected(self):
        status, doc = self.request("PATCH", "/api/v1/namespaces/default/serviceaccounts/y"
                                   "?fieldManager=test", "metadata: [unclosed",
                                   "application/apply-patch+yaml")
        self.assertEqual(status, 400)
        self.assertIn("not valid YAML", doc["message"])

    def test_wrong_kind_rejected(self):
        status, doc = self.request("POST", "/api/v1/namespaces/default/serviceaccounts",
                                   {"apiVersion": "v1", "kind": "Secret",
                                    "metadata": {"name": "x"}})
        self.assertEqual(status, 400)
        self.assertIn("(Secret) does not match the expected kind (ServiceAccount)",
                      doc["message"])

    def test_non_string_annotation_rejected(self):
        status, doc = self.request("POST", "/api/v1/namespaces/default/serviceaccounts",
                                   {"metadata": {"name": "numbers", "annotations": {"a": 1}}})
        self.assertEqual(status, 400)
        self.assertIn("metadata.annotations", doc["message"])

    def test_patch_to_non_object_rejected(self):
        self.kubectl("create", "serviceaccount", "shapeless", "-n", "default")
        path = "/api/v1/namespaces/default/serviceaccounts/shapeless"
        status, doc = self.request("PATCH", path, "[1]", "application/merge-patch+json")
        self.assertEqual(status, 400)
        self.assertIn("not a JSON object", doc["message"])
        status, doc = self.request("PATCH", path, '[{"op":"replace","path":"","value":7}]',
                                   "application/json-patch+json")
        self.assertEqual(status, 400)
        self.assertEqual(self.get_json("serviceaccount", "shapeless", "-n", "default")
                         ["metadata"]["name"], "shapeless")

    def test_unknown_patch_type_rejected(self):
        status, doc = self.request("PATCH", "/api/v1/namespaces/default/serviceaccounts/x",
                                   "{}", "text/plain")
        self.assertEqual(status, 415)
        self.assertEqual(doc["reason"], "UnsupportedMediaType")

    def test_body_over_limit_rejected(self):
        big = {"metadata": {"name": "big", "annotations": {"a": "x" * (3 << 20)}}}
        status, doc = self.request("POST", "/api/v1/namespaces/default/serviceaccounts", big)
        self.assertEqual(status, 413)
        self.assertEqual(doc["message"], "Request entity too large: limit is 3145728")


if __name__ == "__main__":
    unittest.main()
