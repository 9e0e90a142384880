"""The controller simulation started by a controller Deployment, on the
install-ready world (ingresses, an OIDC provider, no controller).

With working IRSA the ingresses get ALBs, checked through the sandbox's
ELBv2 API with the aws CLI and through the ingress status. With a broken
identity the ingresses get the controller's real errors, and without
--cluster-name the controller crash-loops. The admission webhooks fail
writes while the webhook has no ready endpoint or an unverified
certificate."""

import base64
import json
import os
import subprocess
import time
import unittest

from test_sandbox_k8s_rollout import KubeTest

NS = "kube-system"
SA = "aws-load-balancer-controller"
ROLE = "arn:aws:iam::111122223333:role/"
PODS = "app.kubernetes.io/name=" + SA
IMAGE = "public.ecr.aws/eks/aws-load-balancer-controller:v2.7.2"


WEBHOOK_SERVICE = "aws-load-balancer-webhook-service"
WEBHOOK_HOST = WEBHOOK_SERVICE + ".kube-system.svc"


def webhooks(ca_bundle):
    """The webhook Service and the controller's Service and Ingress
    webhooks, as the Helm chart of v2.7 makes them."""
    def hook(name, path, group, resources, selector=None):
        entry = {"name": name, "admissionReviewVersions": ["v1beta1"],
                 "sideEffects": "None", "failurePolicy": "Fail",
                 "clientConfig": {"caBundle": ca_bundle,
                                  "service": {"name": WEBHOOK_SERVICE, "namespace": NS,
                                              "path": path}},
                 "rules": [{"apiGroups": [group], "apiVersions": ["v1"],
                            "operations": ["CREATE", "UPDATE"], "resources": resources}]}
        if selector:
            entry["objectSelector"] = selector
        return entry
    not_controller = {"matchExpressions": [{"key": "app.kubernetes.io/name",
                                            "operator": "NotIn", "values": [SA]}]}
    return [
        {"apiVersion": "v1", "kind": "Service",
         "metadata": {"name": WEBHOOK_SERVICE, "namespace": NS,
                      "labels": {"app.kubernetes.io/name": SA}},
         "spec": {"selector": {"app.kubernetes.io/name": SA},
                  "ports": [{"port": 443, "targetPort": "webhook-server"}]}},
        {"apiVersion": "admissionregistration.k8s.io/v1",
         "kind": "MutatingWebhookConfiguration",
         "metadata": {"name": "aws-load-balancer-webhook"},
         "webhooks": [hook("mservice.elbv2.k8s.aws", "/mutate-v1-service", "",
                           ["services"], not_controller)]},
        {"apiVersion": "admissionregistration.k8s.io/v1",
         "kind": "ValidatingWebhookConfiguration",
         "metadata": {"name": "aws-load-balancer-webhook"},
         "webhooks": [hook("vingress.elbv2.k8s.aws", "/validate-networking-v1-ingress",
                           "networking.k8s.io", ["ingresses"])]},
    ]


def controller(args, role, tls=None, image=IMAGE):
    """The controller's ServiceAccount (annotated with role unless it is
    None), its webhook Secret and its Deployment, as the Helm chart makes
    them."""
    labels = {"app.kubernetes.io/name": SA, "app.kubernetes.io/instance": SA}
    account = {"name": SA, "namespace": NS}
    if role:
        account["annotations"] = {"eks.amazonaws.com/role-arn": ROLE + role}
    return [
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": account},
        {"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/tls",
         "metadata": {"name": "aws-load-balancer-tls", "namespace": NS},
         "data": tls or {"tls.crt": "", "tls.key": ""}},
        {"apiVersion": "apps/v1", "kind": "Deployment",
         "metadata": {"name": SA, "namespace": NS, "labels": labels},
         "spec": {"replicas": 2, "selector": {"matchLabels": labels},
                  "template": {"metadata": {"labels": labels}, "spec": {
                      "serviceAccountName": SA,
                      "containers": [{"name": SA, "image": image, "args": args,
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


class FreshSandboxTest(KubeTest):
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



class ControllerInstallTest(FreshSandboxTest):

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

    def test_upgrade_reconciles_again_and_delete_stops(self):
        self.apply(INGRESS_CLASS)
        args = ["--cluster-name=shop", "--ingress-class=alb"]
        self.apply(*controller(args, "lbc"))
        self.rollout()

        def reconciled():
            return [e for e in self.ingress_events("web") if e[0] == "SuccessfullyReconciled"]
        before = len(self.wait_for("the first reconcile", reconciled))
        self.apply(*controller(args, "lbc", image=IMAGE.replace("v2.7.2", "v2.9.0")))
        self.rollout()
        self.wait_for("a reconcile by the new version", lambda: len(reconciled()) > before)
        self.kubectl("delete", "deployment", SA, "-n", NS)
        self.kubectl("wait", "pod", "-n", NS, "-l", PODS, "--for=delete", "--timeout=60s")
        self.assertEqual(self.pods(PODS, ns=NS), [])
        self.assertEqual(len(self.load_balancers()), 2)

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


POD_TRUST = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "pods.eks.amazonaws.com"},
    "Action": ["sts:AssumeRole", "sts:TagSession"]}]}
AGENT = "eks-pod-identity-agent"
IMAGE_V2_SDK = IMAGE.replace("v2.7.2", "v2.9.0")


class PodIdentityCredentialsTest(FreshSandboxTest):
    """A controller whose service account has a Pod Identity association:
    its pods get the role only while the eks-pod-identity-agent add-on is
    ACTIVE and the role trusts pods.eks.amazonaws.com. The aws CLI sets
    up the role, the association and the add-on."""

    def aws(self, *args):
        res = self.box.aws(*args)
        return json.loads(res.stdout) if res.stdout.strip() else None

    def associate(self, name="lbc-pod-identity"):
        self.aws("iam", "create-role", "--role-name", name,
                 "--assume-role-policy-document", json.dumps(POD_TRUST))
        self.aws("iam", "attach-role-policy", "--role-name", name, "--policy-arn",
                 "arn:aws:iam::111122223333:policy/AWSLoadBalancerControllerIAMPolicy")
        self.aws("eks", "create-pod-identity-association", "--cluster-name", "shop",
                 "--namespace", NS, "--service-account", SA, "--role-arn", ROLE + name)

    def create_agent(self):
        self.aws("eks", "create-addon", "--cluster-name", "shop", "--addon-name", AGENT)
        self.wait_for("the add-on to be ACTIVE", lambda: self.aws(
            "eks", "describe-addon", "--cluster-name", "shop", "--addon-name",
            AGENT)["addon"]["status"] == "ACTIVE")

    def failure(self, name="web"):
        events = self.wait_for(
            "a Warning event on ingress " + name,
            lambda: [e for e in self.ingress_events(name) if e[0].startswith("Failed")])
        return events[-1][1]

    def test_missing_agent_fails_then_retry_works(self):
        self.associate()
        self.apply(INGRESS_CLASS)
        self.apply(*controller(["--cluster-name=shop", "--ingress-class=alb"], None,
                               image=IMAGE_V2_SDK))
        self.rollout()
        message = self.failure()
        self.assertIn("get identity: get credentials: failed to refresh cached "
                      "credentials, failed to load credentials", message)
        self.assertIn('Get "http://169.254.170.23/v1/credentials": dial tcp '
                      '169.254.170.23:80: connect: connection refused', message)
        self.assertEqual(self.load_balancers(), [])

        self.create_agent()
        for name in ("web", "api"):
            self.wait_for("ingress %s status" % name, lambda: self.get(
                "ingress", name, "-n", "web")["status"]["loadBalancer"].get("ingress"))
        self.assertEqual(len(self.load_balancers()), 2)

    def test_sdk_v1_hides_the_container_error(self):
        self.associate()
        self.apply(INGRESS_CLASS)
        self.apply(*controller(["--cluster-name=shop"], None))
        self.rollout()
        message = self.failure()
        self.assertIn("NoCredentialProviders: no valid providers in chain", message)
        self.assertNotIn("169.254.170.23", message)

    def test_untrusted_role_cannot_be_assumed(self):
        self.associate()
        self.create_agent()
        irsa_only = {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity",
            "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/"
                          "oidc.eks.us-east-2.amazonaws.com/id/"
                          "D013CA0D52A71003D83313B325CEA6C0"}}]}
        self.aws("iam", "update-assume-role-policy", "--role-name", "lbc-pod-identity",
                 "--policy-document", json.dumps(irsa_only))
        self.apply(INGRESS_CLASS)
        self.apply(*controller(["--cluster-name=shop"], None, image=IMAGE_V2_SDK))
        self.rollout()
        self.assertIn("failed to load credentials, Unauthorized Exception! EKS does "
                      "not have permissions to assume the associated role.",
                      self.failure())
        self.assertEqual(self.load_balancers(), [])

    def test_irsa_wins_over_pod_identity(self):
        self.associate()
        self.create_agent()
        self.apply(INGRESS_CLASS)
        self.apply(*controller(["--cluster-name=shop"], "lbc-wrong-sub"))
        self.rollout()
        self.assertIn("WebIdentityErr: failed to retrieve credentials", self.failure())
        self.assertEqual(self.load_balancers(), [])


class WebhookTest(FreshSandboxTest):

    def create_ingress(self):
        return self.kubectl("create", "ingress", "shop", "-n", "web", "--class=alb",
                            "--rule=shop.example.com/=web:80", check=False)

    def create_service(self, name):
        return self.kubectl("create", "service", "clusterip", name, "-n", "web",
                            "--tcp=80:8080", check=False)

    def certificates(self):
        """A CA, a serving certificate it signs for the webhook Service, and
        another CA; returns (tls Secret data, CA bundle, other CA bundle),
        base64 as Kubernetes carries them."""
        path = os.path.join(self.files.name, "%s")

        def openssl(*args):
            subprocess.run(["openssl"] + list(args), check=True, capture_output=True,
                           timeout=60)

        def b64(name):
            with open(path % name, "rb") as f:
                return base64.b64encode(f.read()).decode()
        for ca in ("ca", "other-ca"):
            openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=" + ca, "-keyout", path % (ca + ".key"),
                    "-out", path % (ca + ".crt"))
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=" + WEBHOOK_HOST,
                "-keyout", path % "tls.key", "-out", path % "tls.csr")
        with open(path % "san.ext", "w") as f:
            f.write("subjectAltName=DNS:%s,DNS:%s.cluster.local\n" % (WEBHOOK_HOST, WEBHOOK_HOST))
        openssl("x509", "-req", "-in", path % "tls.csr", "-CA", path % "ca.crt",
                "-CAkey", path % "ca.key", "-CAcreateserial", "-days", "2",
                "-extfile", path % "san.ext", "-out", path % "tls.crt")
        return ({"tls.crt": b64("tls.crt"), "tls.key": b64("tls.key")},
                b64("ca.crt"), b64("other-ca.crt"))

    def test_no_endpoints_refuses_ingress_and_service(self):
        self.apply(*webhooks(""))
        url = "https://%s:443%%s?timeout=10s" % WEBHOOK_HOST
        res = self.create_ingress()
        self.assertNotEqual(res.returncode, 0)
        self.assertIn('Internal error occurred: failed calling webhook "vingress.elbv2.k8s.aws": failed to call webhook: Post "'
                      + url % "/validate-networking-v1-ingress" + '": no endpoints available '
                      'for service "aws-load-balancer-webhook-service"', res.stderr)
        res = self.create_service("blocked")
        self.assertIn('failed calling webhook "mservice.elbv2.k8s.aws": failed to call '
                      'webhook: Post "' + url % "/mutate-v1-service" + '": no endpoints '
                      'available for service "aws-load-balancer-webhook-service"', res.stderr)
        self.assertNotEqual(res.returncode, 0)
        res = self.kubectl("get", "service", "blocked", "-n", "web", check=False)
        self.assertIn("NotFound", res.stderr)

    def test_ca_bundle_must_verify_serving_certificate(self):
        tls, ca, other_ca = self.certificates()
        self.apply(INGRESS_CLASS, *controller(["--cluster-name=shop"], "lbc", tls))
        self.rollout()
        self.apply(*webhooks(other_ca))
        res = self.create_service("unverified")
        self.assertNotEqual(res.returncode, 0)
        self.assertIn('failed calling webhook "mservice.elbv2.k8s.aws": failed to call '
                      'webhook: Post "https://%s:443/mutate-v1-service?timeout=10s": tls: '
                      'failed to verify certificate: x509: certificate signed by unknown '
                      'authority' % WEBHOOK_HOST, res.stderr)
        self.apply(*webhooks(ca))
        res = self.create_service("verified")
        self.assertEqual(res.returncode, 0, res.stderr)


if __name__ == "__main__":
    unittest.main()
