"""Deployments, pods and CRDs of the sandbox on its clock, judged by kubectl:
`kubectl rollout status` and `kubectl wait` decide when a rollout is done
and which state a pod is in, as they would against a real cluster."""

import json
import os
import re
import tempfile
import time
import unittest

import yaml

from sandbox import TEST_WORLDS, Sandbox
from test_sandbox_k8s import make_token

WORLD = os.path.join(TEST_WORLDS, "install-ready.yaml")
CLUSTER = "shop"
WAIT = "--timeout=60s"


def deployment(name, image, replicas=2, command=None, volumes=None,
               service_account=None):
    """A Deployment manifest of one container, labelled app=NAME."""
    container = {"name": "main", "image": image,
                 "ports": [{"containerPort": 8080}]}
    if command:
        container["command"] = command
    spec = {"containers": [container]}
    if volumes:
        spec["volumes"] = volumes
        container["volumeMounts"] = [{"name": v["name"], "mountPath": "/mnt/" + v["name"]}
                                     for v in volumes]
    if service_account:
        spec["serviceAccountName"] = service_account
    return {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name, "namespace": "default", "labels": {"app": name}},
        "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                 "template": {"metadata": {"labels": {"app": name}}, "spec": spec}},
    }


def token_kubeconfig(box, directory):
    """Write the sandbox's kubeconfig with a bearer token for the cluster
    in place of its exec plugin, because aws eks get-token takes seconds
    per call. Returns the file and the cluster's context. EKS accepts a
    token for 15 minutes, longer than a test class runs."""
    with open(box.env["KUBECONFIG"]) as f:
        config = yaml.safe_load(f)
    ctx = [c for c in config["contexts"] if c["name"].endswith("cluster/" + CLUSTER)][0]
    token = make_token(box.env, box.env["AWS_REGION"], CLUSTER)
    for user in config["users"]:
        if user["name"] == ctx["context"]["user"]:
            user["user"] = {"token": token}
    path = os.path.join(directory, "kubeconfig")
    with open(path, "w") as f:
        yaml.safe_dump(config, f)
    return path, ctx["name"]


class KubeTest(unittest.TestCase):
    """A sandbox on the install-ready world per class, and kubectl helpers."""

    @classmethod
    def setUpClass(cls):
        cls.box = Sandbox(world=WORLD, timeout=int(os.environ.get("SANDBOX_START_TIMEOUT", "15"))).start()
        cls.files = tempfile.TemporaryDirectory()
        cls.kubeconfig, cls.ctx = token_kubeconfig(cls.box, cls.files.name)

    @classmethod
    def tearDownClass(cls):
        cls.box.stop()
        cls.files.cleanup()

    def kubectl(self, *args, check=True):
        return self.box.kubectl("--kubeconfig", self.kubeconfig, "--context", self.ctx,
                                *args, check=check)

    def apply(self, *docs):
        path = os.path.join(self.files.name, "manifest.yaml")
        with open(path, "w") as f:
            yaml.safe_dump_all(docs, f)
        return self.kubectl("apply", "--server-side", "-f", path)

    def get(self, *args):
        return json.loads(self.kubectl("get", *args, "-o", "json").stdout)

    @staticmethod
    def selector(app):
        """A label selector: app=APP, or app itself when it is one."""
        return app if "=" in app else "app=" + app

    def pods(self, app, ns="default"):
        return self.get("pods", "-n", ns, "-l", self.selector(app))["items"]

    def wait_pods(self, app, condition, ns="default"):
        """kubectl wait on the pods of app; their names come first, since
        kubectl wait with a selector fails while no pod matches."""
        deadline = time.monotonic() + 60
        while not self.pods(app, ns):
            self.assertLess(time.monotonic(), deadline, "no pod of " + app)
            time.sleep(0.2)
        return self.kubectl("wait", "pod", "-n", ns, "-l", self.selector(app),
                            "--for=" + condition, WAIT)

    def events(self, pod):
        items = self.get("events", "-n", "default", "--field-selector",
                         "involvedObject.name=" + pod["metadata"]["name"])["items"]
        return [(e["reason"], e["message"]) for e in items]


class RolloutTest(KubeTest):

    def test_rollout_finishes_with_running_pods(self):
        self.apply(deployment("web", "public.ecr.aws/nginx/nginx:1.25"))
        res = self.kubectl("rollout", "status", "deployment/web", "-n", "default", WAIT)
        self.assertIn('deployment "web" successfully rolled out', res.stdout)
        dep = self.get("deployment", "web", "-n", "default")
        status = dep["status"]
        self.assertEqual(status["observedGeneration"], dep["metadata"]["generation"])
        for key in ("replicas", "updatedReplicas", "readyReplicas", "availableReplicas"):
            self.assertEqual(status[key], 2, key)
        self.assertNotIn("unavailableReplicas", status)
        conditions = {c["type"]: c for c in status["conditions"]}
        self.assertEqual(conditions["Available"]["status"], "True")
        self.assertEqual(conditions["Progressing"]["reason"], "NewReplicaSetAvailable")
        pods = self.pods("web")
        self.assertEqual(len(pods), 2)
        hashes = {p["metadata"]["labels"]["pod-template-hash"] for p in pods}
        self.assertEqual(len(hashes), 1)
        rs = "web-" + hashes.pop()
        for pod in pods:
            self.assertRegex(pod["metadata"]["name"], "^" + re.escape(rs) + "-[a-z0-9]{5}$")
            owner = pod["metadata"]["ownerReferences"][0]
            self.assertEqual((owner["kind"], owner["name"], owner["controller"]),
                             ("ReplicaSet", rs, True))
            self.assertEqual(pod["spec"]["serviceAccountName"], "default")
            self.assertRegex(pod["spec"]["nodeName"], r"^ip-[0-9-]+\.us-east-2\.compute\.internal$")
            self.assertEqual(pod["status"]["phase"], "Running")
            self.assertTrue(pod["status"]["containerStatuses"][0]["ready"])
            self.assertIn("running", pod["status"]["containerStatuses"][0]["state"])

    def test_missing_service_account_creates_no_pods(self):
        self.apply(deployment("unowned", "public.ecr.aws/nginx/nginx:1.25",
                              service_account="nobody"))
        condition = self.wait_for_condition("unowned", "ReplicaFailure")
        self.assertEqual(condition["reason"], "FailedCreate")
        self.assertRegex(condition["message"], r'^pods "unowned-[a-z0-9]+-" is forbidden: error '
                         r'looking up service account default/nobody: serviceaccount "nobody" '
                         r'not found$')
        self.assertEqual(self.pods("unowned"), [])
        self.kubectl("create", "serviceaccount", "nobody", "-n", "default")
        self.kubectl("rollout", "status", "deployment/unowned", "-n", "default", WAIT)
        self.assertEqual(len(self.pods("unowned")), 2)

    def wait_for_condition(self, name, kind):
        deadline = time.monotonic() + 60
        while True:
            status = self.get("deployment", name, "-n", "default").get("status", {})
            found = [c for c in status.get("conditions", []) if c["type"] == kind]
            if found:
                return found[0]
            self.assertLess(time.monotonic(), deadline, "no %s condition on %s" % (kind, name))
            time.sleep(0.2)

    def test_restart_replaces_pods(self):
        self.kubectl("create", "serviceaccount", "restarter", "-n", "default")
        self.apply(deployment("restarted", "public.ecr.aws/nginx/nginx:1.25",
                              service_account="restarter"))
        self.kubectl("rollout", "status", "deployment/restarted", "-n", "default", WAIT)
        before = {p["metadata"]["name"] for p in self.pods("restarted")}
        generation = self.get("deployment", "restarted", "-n", "default")["metadata"]["generation"]
        self.kubectl("rollout", "restart", "deployment/restarted", "-n", "default")
        self.kubectl("rollout", "status", "deployment/restarted", "-n", "default", WAIT)
        dep = self.get("deployment", "restarted", "-n", "default")
        self.assertEqual(dep["metadata"]["generation"], generation + 1)
        after = self.pods("restarted")
        self.assertEqual(len(after), 2)
        self.assertFalse(before & {p["metadata"]["name"] for p in after})
        for pod in after:
            self.assertIn("kubectl.kubernetes.io/restartedAt", pod["metadata"]["annotations"])
            self.assertEqual(pod["spec"]["serviceAccountName"], "restarter")
        sets = {rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"]: rs
                for rs in self.get("replicasets", "-n", "default", "-l", "app=restarted")["items"]}
        self.assertEqual(sorted(sets), ["1", "2"])
        self.assertEqual(sets["1"]["spec"]["replicas"], 0)
        self.assertEqual(sets["2"]["spec"]["replicas"], 2)
        self.assertEqual(sets["2"]["status"]["readyReplicas"], 2)
        owner = after[0]["metadata"]["ownerReferences"][0]
        self.assertEqual((owner["name"], owner["uid"]),
                         (sets["2"]["metadata"]["name"], sets["2"]["metadata"]["uid"]))
        self.assertEqual(sets["2"]["metadata"]["ownerReferences"][0]["uid"], dep["metadata"]["uid"])

    def test_scale_to_zero_and_delete_remove_pods(self):
        self.apply(deployment("scaled", "public.ecr.aws/nginx/nginx:1.25"))
        self.kubectl("rollout", "status", "deployment/scaled", "-n", "default", WAIT)
        self.kubectl("patch", "deployment", "scaled", "-n", "default", "--type=merge",
                     "-p", '{"spec":{"replicas":0}}')
        self.kubectl("rollout", "status", "deployment/scaled", "-n", "default", WAIT)
        self.assertEqual(self.pods("scaled"), [])
        self.kubectl("patch", "deployment", "scaled", "-n", "default", "--type=merge",
                     "-p", '{"spec":{"replicas":1}}')
        self.kubectl("rollout", "status", "deployment/scaled", "-n", "default", WAIT)
        self.assertEqual(len(self.pods("scaled")), 1)
        self.kubectl("delete", "deployment", "scaled", "-n", "default")
        self.kubectl("wait", "pod", "-n", "default", "-l", "app=scaled", "--for=delete", WAIT)
        self.assertEqual(self.pods("scaled"), [])
        self.assertEqual(self.get("replicasets", "-n", "default", "-l", "app=scaled")["items"], [])

    def test_service_endpoints_list_ready_pods(self):
        self.apply(deployment("listed", "public.ecr.aws/nginx/nginx:1.25"),
                   {"apiVersion": "v1", "kind": "Service",
                    "metadata": {"name": "listed", "namespace": "default"},
                    "spec": {"selector": {"app": "listed"},
                             "ports": [{"port": 80, "targetPort": 8080}]}})
        self.kubectl("rollout", "status", "deployment/listed", "-n", "default", WAIT)
        ips = sorted(p["status"]["podIP"] for p in self.pods("listed"))
        ep = self.get("endpoints", "listed", "-n", "default")
        self.assertEqual(sorted(a["ip"] for a in ep["subsets"][0]["addresses"]), ips)
        self.assertEqual(ep["subsets"][0]["ports"][0]["port"], 8080)
        slices = self.get("endpointslices", "-n", "default", "-l",
                          "kubernetes.io/service-name=listed")["items"]
        self.assertEqual(len(slices), 1)
        endpoints = slices[0]["endpoints"]
        self.assertEqual(sorted(e["addresses"][0] for e in endpoints), ips)
        self.assertTrue(all(e["conditions"]["ready"] for e in endpoints))


class FailureTest(KubeTest):

    def test_image_that_cannot_be_pulled(self):
        image = "public.ecr.aws/eks/aws-load-balancer-controller:v9.9.9"
        self.apply(deployment("unpulled", image, replicas=1))
        self.wait_pods("unpulled", "jsonpath={.status.containerStatuses[0].state.waiting.reason}"
                       "=ImagePullBackOff")
        pod = self.pods("unpulled")[0]
        self.assertEqual(pod["status"]["phase"], "Pending")
        events = self.events(pod)
        self.assertIn(("Failed", 'Failed to pull image "%s": rpc error: code = NotFound desc = '
                       'failed to pull and unpack image "%s": failed to resolve reference '
                       '"%s": %s: not found' % (image, image, image, image)), events)
        self.assertIn(("BackOff", 'Back-off pulling image "%s"' % image), events)
        dep = self.get("deployment", "unpulled", "-n", "default")
        self.assertEqual(dep["status"]["unavailableReplicas"], 1)
        self.assertEqual({c["type"]: c["reason"] for c in dep["status"]["conditions"]},
                         {"Available": "MinimumReplicasUnavailable",
                          "Progressing": "ReplicaSetUpdated"})

    def test_unknown_registry(self):
        self.apply(deployment("lost", "registry.invalid/app:1", replicas=1))
        self.wait_pods("lost", "jsonpath={.status.containerStatuses[0].state.waiting.reason}"
                       "=ImagePullBackOff")
        messages = [m for r, m in self.events(self.pods("lost")[0]) if r == "Failed"]
        self.assertTrue(any("lookup registry.invalid: no such host" in m for m in messages),
                        messages)

    def test_container_that_exits_crash_loops(self):
        self.apply(deployment("crasher", "public.ecr.aws/docker/library/busybox:1.36",
                              replicas=1, command=["false"]))
        self.wait_pods("crasher", "jsonpath={.status.containerStatuses[0].state.waiting.reason}"
                       "=CrashLoopBackOff")
        pod = self.pods("crasher")[0]
        status = pod["status"]["containerStatuses"][0]
        self.assertEqual(pod["status"]["phase"], "Running")
        self.assertFalse(status["ready"])
        self.assertGreaterEqual(status["restartCount"], 1)
        self.assertEqual(status["lastState"]["terminated"]["exitCode"], 1)
        self.assertEqual(status["lastState"]["terminated"]["reason"], "Error")
        self.assertIn(("BackOff", "Back-off restarting failed container main in pod %s_default(%s)"
                       % (pod["metadata"]["name"], pod["metadata"]["uid"])), self.events(pod))

    def test_missing_secret_volume_blocks_then_mounts(self):
        volumes = [{"name": "cert", "secret": {"secretName": "webhook-tls"}}]
        self.apply(deployment("mounted", "public.ecr.aws/nginx/nginx:1.25", replicas=1,
                              volumes=volumes))
        deadline = time.monotonic() + 60
        while True:
            pods = self.pods("mounted")
            if pods and ("FailedMount", 'MountVolume.SetUp failed for volume "cert" : '
                         'secret "webhook-tls" not found') in self.events(pods[0]):
                break
            self.assertLess(time.monotonic(), deadline, "no FailedMount event")
            time.sleep(0.2)
        pod = self.pods("mounted")[0]
        self.assertEqual(pod["status"]["phase"], "Pending")
        self.assertEqual(pod["status"]["containerStatuses"][0]["state"]["waiting"]["reason"],
                         "ContainerCreating")
        self.kubectl("create", "secret", "generic", "webhook-tls", "-n", "default",
                     "--from-literal=tls.crt=x")
        self.kubectl("rollout", "status", "deployment/mounted", "-n", "default", WAIT)
        self.assertEqual(self.pods("mounted")[0]["status"]["phase"], "Running")


class CrdTest(KubeTest):

    def test_crd_is_established(self):
        self.apply({
            "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": {"name": "widgets.example.com"},
            "spec": {"group": "example.com", "scope": "Namespaced",
                     "names": {"plural": "widgets", "singular": "widget", "kind": "Widget"},
                     "versions": [{"name": "v1", "served": True, "storage": True,
                                   "schema": {"openAPIV3Schema": {"type": "object"}}}]},
        })
        res = self.kubectl("wait", "--for=condition=established",
                           "crd/widgets.example.com", WAIT)
        self.assertIn("condition met", res.stdout)
        crd = self.get("crd", "widgets.example.com")
        self.assertEqual({c["type"]: c["status"] for c in crd["status"]["conditions"]},
                         {"NamesAccepted": "True", "Established": "True"})
        self.assertEqual(crd["status"]["acceptedNames"]["kind"], "Widget")


if __name__ == "__main__":
    unittest.main()
