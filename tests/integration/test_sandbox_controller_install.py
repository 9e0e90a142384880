"""The controller simulation started by a controller Deployment, on the
install-ready world (ingresses, an OIDC provider, no controller): with
working IRSA the ingresses get ALBs, checked through the sandbox's ELBv2
API with the aws CLI and through the ingress status; with a broken
identity the ingresses get the controller's real errors; without
--cluster-name the controller crash-loops."""

import json
import time
import unittest

from test_sandbox_k8s_rollout import KubeTest

NS = "kube-system"
SA = "aws-load-balancer-controller"
ROLE = "arn:aws:iam::111122223333:role/"
PODS = "app.kubernetes.io/name=" + SA
IMAGE = "public.ecr.aws/eks/aws-load-balancer-controller:v2.7.2"


def controller(args, role):
    """The controller's ServiceAccount (annotated with role), its webhook
    Secret and its Deployment, as the Helm chart makes them."""
    labels = {"app.kubernetes.io/name": SA, "app.kubernetes.io/instance": SA}
    return [
        {"apiVersion": "v1", "kind": "ServiceAccount",
         "metadata": {"name": SA, "namespace": NS,
                      "annotations": {"eks.amazonaws.com/role-arn": ROLE + role}}},
        {"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/tls",
         "metadata": {"name": "aws-load-balancer-tls", "namespace": NS},
         "data": {"tls.crt": "", "tls.key": ""}},
        {"apiVersion": "apps/v1", "kind": "Deployment",
         "metadata": {"name": SA, "namespace": NS, "labels": labels},
         "spec": {"replicas": 2, "selector": {"matchLabels": labels},
                  "template": {"metadata": {"labels": labels}, "spec": {
                      "serviceAccountName": SA,
                      "containers": [{"name": SA, "image": IMAGE, "args": args,
                                      "ports": [{"name": "webhook-server",
                                                 "containerPort": 9443}],
                                      "volumeMounts": [{"name": "cert",
                                                        "mountPath": "/tmp/k8s-webhook-server/serving-certs"}]}],
                      "volumes": [{"name": "cert",
                                   "secret": {"secretName": "aws-load-balancer-tls"}}]}}}},
    ]


INGRESS_CLASS = {"apiVersion": "networking.k8s.io/v1", "kind": "IngressClass",
                 "metadata": {"name": "alb"},
                 "spec": {"controller": "ingress.k8s.aws/alb"}}


class ControllerInstallTest(KubeTest):
    """A fresh sandbox per test: each installs the controller its own way."""

    @classmethod
    def setUpClass(cls):
        pass

    @classmethod
    def tearDownClass(cls):
        pass

    def setUp(self):
        KubeTest.setUpClass.__func__(type(self))
        self.addCleanup(KubeTest.tearDownClass.__func__, type(self))

    def load_balancers(self):
        res = self.box.aws("elbv2", "describe-load-balancers")
        return json.loads(res.stdout)["LoadBalancers"]

    def ingress_events(self, name):
        items = self.get("events", "-n", "web", "--field-selector",
                         "involvedObject.name=" + name)["items"]
        return [(e["reason"], e["message"]) for e in items]

    def wait_for(self, what, check):
        deadline = time.monotonic() + 60
        while True:
            value = check()
            if value:
                return value
            self.assertLess(time.monotonic(), deadline, "timed out waiting for " + what)
            time.sleep(0.2)

    def rollout(self):
        self.kubectl("rollout", "status", "deployment/" + SA, "-n", NS, "--timeout=60s")

    def test_working_irsa_gives_ingresses_albs(self):
        self.apply(INGRESS_CLASS)
        self.assertEqual(self.load_balancers(), [])
        self.apply(*controller(["--cluster-name=shop", "--ingress-class=alb"], "lbc"))
        self.rollout()
        hostnames = {}
        for name in ("web", "api"):
            ingress = self.wait_for(
                "ingress %s status" % name,
                lambda: self.get("ingress", name, "-n", "web")["status"]["loadBalancer"]
                .get("ingress"))
            hostnames[name] = ingress[0]["hostname"]
            self.assertIn(("SuccessfullyReconciled", "Successfully reconciled"),
                          self.ingress_events(name))
        albs = {lb["DNSName"]: lb for lb in self.load_balancers()}
        self.assertEqual(set(albs), set(hostnames.values()))
        self.assertEqual(albs[hostnames["web"]]["Scheme"], "internet-facing")
        self.assertEqual(albs[hostnames["api"]]["Scheme"], "internal")
        self.assertEqual({lb["Type"] for lb in albs.values()}, {"application"})

    def test_broken_irsa_reports_web_identity_error(self):
        self.apply(INGRESS_CLASS)
        self.apply(*controller(["--cluster-name=shop"], "lbc-wrong-sub"))
        self.rollout()
        events = self.wait_for(
            "a Warning event on ingress web",
            lambda: [e for e in self.ingress_events("web") if e[0].startswith("Failed")])
        reason, message = events[0]
        self.assertEqual(reason, "FailedDeployModel" if "deploy" in message else "FailedBuildModel")
        self.assertIn("WebIdentityErr: failed to retrieve credentials\ncaused by: AccessDenied: "
                      "Not authorized to perform sts:AssumeRoleWithWebIdentity", message)
        self.assertEqual(self.load_balancers(), [])
        self.assertNotIn("ingress", self.get("ingress", "web", "-n", "web")["status"]["loadBalancer"])

    def test_missing_cluster_name_crash_loops(self):
        self.apply(INGRESS_CLASS)
        self.apply(*controller(["--ingress-class=alb"], "lbc"))
        self.wait_pods(PODS, "jsonpath={.status.containerStatuses[0].state.waiting.reason}"
                       "=CrashLoopBackOff", ns=NS)
        for pod in self.pods(PODS, ns=NS):
            last = pod["status"]["containerStatuses"][0]["lastState"]["terminated"]
            self.assertEqual(last["exitCode"], 1)
        dep = self.get("deployment", SA, "-n", NS)
        self.assertEqual({c["type"]: c["status"] for c in dep["status"]["conditions"]}["Available"],
                         "False")
        self.assertEqual(self.load_balancers(), [])
        self.assertEqual(self.ingress_events("web"), [])


if __name__ == "__main__":
    unittest.main()
