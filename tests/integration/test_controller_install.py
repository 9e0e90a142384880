"""albatross install|upgrade|uninstall controller against the sandbox.

The oracles are independent clients: kubectl for the applied objects and
their managedFields, the aws CLI for the policy, the stack and the role's
trust policy, the openssl command for the webhook certificates, and the
sandbox's own request log for --readonly.
"""

import base64
import json
import os
import re
import subprocess
import tempfile
import time
import unittest

import sandbox
from sandbox import Sandbox

WORLD = os.path.join(sandbox.TEST_WORLDS, "lbc-install.yaml")
POLICY_FILE = os.path.join(sandbox.ROOT, "data", "lbc", "iam_policy.json")
CLUSTER = "shop"
REGION = "us-east-2"
NS = "kube-system"
NAME = "aws-load-balancer-controller"
SERVICE = "aws-load-balancer-webhook-service"
STACK = "eksctl-shop-addon-iamserviceaccount-kube-system-aws-load-balancer-controller"
ACCOUNT = "111122223333"
POLICY_ARN = "arn:aws:iam::%s:policy/AWSLoadBalancerControllerIAMPolicy" % ACCOUNT
AGENT = "eks-pod-identity-agent"
ISSUER = "oidc.eks.us-east-2.amazonaws.com/id/D013CA0D52A71003D83313B325CEA6C0"
FAST = ("--poll-interval", "100")

# (kubectl resource, name, namespaced), in the order albatross applies them.
OBJECTS = [
    ("customresourcedefinitions", "targetgroupbindings.elbv2.k8s.aws", False),
    ("customresourcedefinitions", "ingressclassparams.elbv2.k8s.aws", False),
    ("serviceaccounts", NAME, True),
    ("roles.rbac.authorization.k8s.io", NAME + "-leader-election-role", True),
    ("rolebindings.rbac.authorization.k8s.io", NAME + "-leader-election-rolebinding", True),
    ("clusterroles.rbac.authorization.k8s.io", NAME + "-role", False),
    ("clusterrolebindings.rbac.authorization.k8s.io", NAME + "-rolebinding", False),
    ("secrets", "aws-load-balancer-tls", True),
    ("services", SERVICE, True),
    ("deployments.apps", NAME, True),
    ("ingressclassparams.elbv2.k8s.aws", "alb", False),
    ("ingressclasses.networking.k8s.io", "alb", False),
    ("mutatingwebhookconfigurations", "aws-load-balancer-webhook", False),
    ("validatingwebhookconfigurations", "aws-load-balancer-webhook", False),
]

KIND_RESOURCE = {
    "CustomResourceDefinition": "customresourcedefinitions",
    "ServiceAccount": "serviceaccounts",
    "Role": "roles.rbac.authorization.k8s.io",
    "RoleBinding": "rolebindings.rbac.authorization.k8s.io",
    "ClusterRole": "clusterroles.rbac.authorization.k8s.io",
    "ClusterRoleBinding": "clusterrolebindings.rbac.authorization.k8s.io",
    "Secret": "secrets",
    "Service": "services",
    "Deployment": "deployments.apps",
    "IngressClassParams": "ingressclassparams.elbv2.k8s.aws",
    "IngressClass": "ingressclasses.networking.k8s.io",
    "MutatingWebhookConfiguration": "mutatingwebhookconfigurations",
    "ValidatingWebhookConfiguration": "validatingwebhookconfigurations",
}

REQUEST_LINE = re.compile(r"^albatross-sandbox: (GET|HEAD|POST|PUT|PATCH|DELETE) ", re.M)


def install(sb, *args, check=True):
    return sb.albatross("install", "controller", "--cluster", CLUSTER, *FAST, *args,
                        check=check, timeout=120, AWS_REGION=REGION)


def kube_get(sb, resource, name, namespaced, check=True):
    args = ["get", resource, name, "-o", "json", "--show-managed-fields"]
    if namespaced:
        args += ["-n", NS]
    res = sb.kubectl(*args, check=check)
    return json.loads(res.stdout) if res.returncode == 0 else None


def kube_objects(sb):
    """Every object of OBJECTS that exists, by (resource, name), read
    with two kubectl calls: the namespaced ones and the others."""
    found = {}
    for namespaced in (True, False):
        refs = ["%s/%s" % (r, n) for r, n, ns in OBJECTS if ns == namespaced]
        args = ["get"] + refs + ["-o", "json", "--show-managed-fields",
                                 "--ignore-not-found"]
        if namespaced:
            args += ["-n", NS]
        out = sb.kubectl(*args).stdout
        items = json.loads(out)["items"] if out.strip() else []
        for item in items:
            resource = KIND_RESOURCE[item["kind"]]
            found[(resource, item["metadata"]["name"])] = item
    return found


def aws(sb, *args, check=True):
    res = sb.aws(*args, check=check)
    return json.loads(res.stdout) if res.returncode == 0 and res.stdout else None


def openssl(*args):
    res = subprocess.run(["openssl"] + list(args), capture_output=True, text=True,
                         timeout=30)
    if res.returncode != 0:
        raise AssertionError("openssl %s: %s" % (" ".join(args), res.stderr))
    return res.stdout


def wait_for(what, probe, seconds=30):
    """Polls probe until it returns something true, because the sandbox's
    controller reconciles on its own schedule."""
    deadline = time.monotonic() + seconds
    while True:
        value = probe()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.2)


def alb_of_ingress(sb, name="web", namespace="web"):
    """The ALB DNS name in the ingress's status once the sandbox's
    controller has reconciled it, or None after the wait."""
    def hostname():
        ing = sb.kubectl("get", "ingress", name, "-n", namespace, "-o", "json")
        lb = json.loads(ing.stdout)["status"].get("loadBalancer", {})
        return (lb.get("ingress") or [{}])[0].get("hostname")
    return wait_for("the ingress's ALB", hostname)


class Installed(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.sb = Sandbox(world=WORLD).start()
        cls.tmp = tempfile.TemporaryDirectory(prefix="albatross-lbc-")
        cls.res = install(cls.sb, "--timeout", "60", check=False)

    @classmethod
    def tearDownClass(cls):
        cls.sb.stop()
        cls.tmp.cleanup()

    def pem(self, text, name):
        path = os.path.join(self.tmp.name, name)
        with open(path, "wb") as f:
            f.write(base64.b64decode(text))
        return path

    def test_rollout_finished(self):
        self.assertEqual(self.res.returncode, 0, self.res.stdout + self.res.stderr)
        self.assertIn('Deployment "kube-system/aws-load-balancer-controller" is rolled out',
                      self.res.stdout)
        self.assertIn("has ready endpoints", self.res.stdout)
        deploy = kube_get(self.sb, "deployments.apps", NAME, True)
        status = deploy["status"]
        self.assertGreaterEqual(status["observedGeneration"], deploy["metadata"]["generation"])
        self.assertEqual(status["updatedReplicas"], 2)
        self.assertEqual(status["availableReplicas"], 2)

    def test_every_object_applied_by_albatross(self):
        objects = kube_objects(self.sb)
        for resource, name, namespaced in OBJECTS:
            with self.subTest(resource=resource, name=name):
                obj = objects[(resource, name)]
                managers = {(f["manager"], f["operation"])
                            for f in obj["metadata"].get("managedFields", [])}
                self.assertIn(("albatross", "Apply"), managers)
                self.assertEqual(obj["metadata"]["labels"]["app.kubernetes.io/managed-by"],
                                 "albatross")

    def test_apply_order_in_output(self):
        applied = re.findall(r'applied (\w+) "(?:[a-z-]+/)?([a-z0-9.-]+)"', self.res.stdout)
        self.assertEqual([name for _, name in applied], [name for _, name, _ in OBJECTS])
        self.assertLess(self.res.stdout.index("to be established"),
                        self.res.stdout.index('applied ServiceAccount'))

    def test_deployment_args(self):
        vpc = aws(self.sb, "eks", "describe-cluster", "--name", CLUSTER)[
            "cluster"]["resourcesVpcConfig"]["vpcId"]
        container = kube_get(self.sb, "deployments.apps", NAME, True)[
            "spec"]["template"]["spec"]["containers"][0]
        self.assertEqual(container["args"], [
            "--cluster-name=" + CLUSTER, "--ingress-class=alb",
            "--aws-region=" + REGION, "--aws-vpc-id=" + vpc])
        self.assertEqual(container["image"],
                         "public.ecr.aws/eks/aws-load-balancer-controller:v2.4.7")

    def test_webhook_ca_bundle_verifies_serving_cert(self):
        data = kube_get(self.sb, "secrets", "aws-load-balancer-tls", True)["data"]
        ca, cert = self.pem(data["ca.crt"], "ca.crt"), self.pem(data["tls.crt"], "tls.crt")
        for resource in ("mutatingwebhookconfigurations", "validatingwebhookconfigurations"):
            config = kube_get(self.sb, resource, "aws-load-balancer-webhook", False)
            for hook in config["webhooks"]:
                bundle = self.pem(hook["clientConfig"]["caBundle"], "bundle.crt")
                self.assertIn(": OK", openssl("verify", "-CAfile", bundle, cert), hook["name"])
                self.assertEqual(hook["clientConfig"]["service"]["name"], SERVICE)
        text = openssl("x509", "-in", cert, "-noout", "-ext", "subjectAltName")
        sans = set(text.splitlines()[1].strip().split(", "))
        for name in ("%s.%s" % (SERVICE, NS), "%s.%s.svc" % (SERVICE, NS),
                     "%s.%s.svc.cluster.local" % (SERVICE, NS)):
            self.assertIn("DNS:" + name, sans)
        self.assertIn(": OK", openssl("verify", "-CAfile", ca, cert))

    def test_role_trusts_only_the_service_account(self):
        sa = kube_get(self.sb, "serviceaccounts", NAME, True)
        role_arn = sa["metadata"]["annotations"]["eks.amazonaws.com/role-arn"]
        role_name = role_arn.split("/")[-1]
        role = aws(self.sb, "iam", "get-role", "--role-name", role_name)["Role"]
        statement = role["AssumeRolePolicyDocument"]["Statement"][0]
        self.assertEqual(statement["Principal"]["Federated"],
                         "arn:aws:iam::%s:oidc-provider/%s" % (ACCOUNT, ISSUER))
        self.assertEqual(statement["Action"], ["sts:AssumeRoleWithWebIdentity"])
        self.assertEqual(statement["Condition"]["StringEquals"][ISSUER + ":sub"],
                         "system:serviceaccount:kube-system:aws-load-balancer-controller")
        attached = aws(self.sb, "iam", "list-attached-role-policies", "--role-name",
                       role_name)["AttachedPolicies"]
        self.assertEqual([p["PolicyArn"] for p in attached], [POLICY_ARN])

    def test_stack_has_eksctl_name_and_tags(self):
        stack = aws(self.sb, "cloudformation", "describe-stacks", "--stack-name",
                    STACK)["Stacks"][0]
        tags = {t["Key"]: t["Value"] for t in stack["Tags"]}
        self.assertEqual(tags["alpha.eksctl.io/cluster-name"], CLUSTER)
        self.assertEqual(tags["alpha.eksctl.io/iamserviceaccount-name"],
                         "kube-system/aws-load-balancer-controller")
        self.assertEqual(stack["StackStatus"], "CREATE_COMPLETE")

    def test_policy_is_the_shipped_document(self):
        policy = aws(self.sb, "iam", "get-policy", "--policy-arn", POLICY_ARN)["Policy"]
        self.assertIn("albatross.io/version", {t["Key"] for t in policy["Tags"]})
        version = aws(self.sb, "iam", "get-policy-version", "--policy-arn", POLICY_ARN,
                      "--version-id", policy["DefaultVersionId"])["PolicyVersion"]
        with open(POLICY_FILE) as f:
            self.assertEqual(version["Document"], json.load(f))

    def test_second_install_reuses_everything(self):
        before = kube_get(self.sb, "secrets", "aws-load-balancer-tls", True)["data"]
        res = install(self.sb, "--timeout", "60", check=False)
        # The path is wherever the binary found data/ (a sanitizer build
        # lives in another directory), so only its tail is fixed.
        self.assertRegex(res.stdout, r"matches \S*lbc/iam_policy\.json ")
        self.assertIn('stack "%s" exists already' % STACK, res.stdout)
        self.assertNotIn("created policy", res.stdout)
        self.assertIn("keeping the webhook certificate", res.stdout)
        after = kube_get(self.sb, "secrets", "aws-load-balancer-tls", True)["data"]
        self.assertEqual(after, before)
        hook = kube_get(self.sb, "validatingwebhookconfigurations",
                        "aws-load-balancer-webhook", False)["webhooks"][0]
        self.assertEqual(hook["clientConfig"]["caBundle"], before["ca.crt"])

    def test_ingress_gets_an_alb(self):
        name = alb_of_ingress(self.sb)
        self.assertTrue(name and name.endswith(".elb.amazonaws.com"), name)
        lbs = aws(self.sb, "elbv2", "describe-load-balancers")["LoadBalancers"]
        self.assertIn(name, [lb["DNSName"] for lb in lbs])


class Upgrade(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.sb = Sandbox(world=WORLD).start()
        cls.installed = install(cls.sb, "--timeout", "60", check=False)

    @classmethod
    def tearDownClass(cls):
        cls.sb.stop()

    def image(self):
        deploy = kube_get(self.sb, "deployments.apps", NAME, True)
        return deploy["spec"]["template"]["spec"]["containers"][0]["image"]

    def upgrade(self, version):
        return self.sb.albatross("upgrade", "controller", "--cluster", CLUSTER,
                                 "--version", version, "--timeout", "60", *FAST,
                                 check=False, timeout=120, AWS_REGION=REGION)

    def test_upgrade_changes_image_then_refuses_major_downgrade(self):
        self.assertTrue(self.image().endswith(":v2.4.7"))
        res = self.upgrade("v2.5.4")
        self.assertIn("upgrading the controller from v2.4.7 to v2.5.4", res.stdout)
        self.assertTrue(self.image().endswith(":v2.5.4"), self.image())
        self.assertEqual(res.returncode, 0, res.stdout + res.stderr)

        # A controller of a later major, as another tool would leave it.
        self.sb.kubectl("set", "image", "-n", NS, "deployment/" + NAME,
                        NAME + "=public.ecr.aws/eks/aws-load-balancer-controller:v3.0.0")
        res = self.upgrade("v2.5.4")
        self.assertEqual(res.returncode, 1)
        self.assertIn("refusing to downgrade the controller from v3.0.0 to v2.5.4",
                      res.stdout)
        self.assertTrue(self.image().endswith(":v3.0.0"))

    def test_upgrade_needs_version(self):
        res = self.sb.albatross("upgrade", "controller", "--cluster", CLUSTER, check=False)
        self.assertEqual(res.returncode, 2)
        self.assertIn("upgrade needs --version", res.stderr)


class PodFailures(unittest.TestCase):
    def test_missing_image_reported_with_fix(self):
        with Sandbox(world=WORLD) as sb:
            res = install(sb, "--version", "v2.99.0", "--timeout", "5", check=False)
            self.assertEqual(res.returncode, 1)
            self.assertRegex(res.stdout, r'pod "aws-load-balancer-controller-[a-z0-9-]+": '
                                         r'Pending \((ErrImagePull|ImagePullBackOff)\)')
            self.assertEqual(res.stdout.count("to fix it: the node cannot pull the "
                                              "controller's image"), 1, res.stdout)
            self.assertIn("timed out after 5 s waiting for the rollout", res.stdout)
            self.assertIn("kubernetes:Rollout: failed", res.stdout)


class Uninstall(unittest.TestCase):
    def test_uninstall_leaves_nothing_albatross_created(self):
        with Sandbox(world=WORLD) as sb:
            install(sb, "--timeout", "60", check=False)
            # An object of the same kind that albatross did not create.
            keep = os.path.join(sb.dir.name, "keep-me.json")
            with open(keep, "w") as f:
                json.dump({"apiVersion": "v1", "kind": "ServiceAccount",
                           "metadata": {"name": "keep-me", "namespace": NS}}, f)
            sb.kubectl("apply", "--server-side", "--field-manager", "test", "-f", keep)
            res = sb.albatross("uninstall", "controller", "--cluster", CLUSTER, *FAST,
                               check=False, timeout=120, AWS_REGION=REGION)
            self.assertEqual(res.returncode, 0, res.stdout + res.stderr)
            self.assertLess(res.stdout.index("deleted ValidatingWebhookConfiguration"),
                            res.stdout.index("deleted Deployment"))
            self.assertEqual(kube_objects(sb), {})
            self.assertIsNotNone(kube_get(sb, "serviceaccounts", "keep-me", True))
            stacks = sb.aws("cloudformation", "describe-stacks", "--stack-name", STACK,
                            check=False)
            self.assertNotEqual(stacks.returncode, 0)
            self.assertIn("does not exist", stacks.stderr)
            self.assertIsNone(aws(sb, "iam", "get-policy", "--policy-arn", POLICY_ARN,
                                  check=False))

    def test_newer_policy_kept_as_it_is(self):
        """A policy someone else created that grants every action of the
        shipped document, and more, as a newer controller's does, keeps
        its default version: replacing it would take those away."""
        with Sandbox(world=WORLD) as sb:
            with open(POLICY_FILE) as f:
                newer = json.load(f)
            newer["Statement"].append({"Effect": "Allow", "Action": [
                "elasticloadbalancing:DescribeListenerAttributes"],
                "Resource": "*"})
            path = os.path.join(sb.dir.name, "newer.json")
            with open(path, "w") as f:
                json.dump(newer, f)
            sb.aws("iam", "create-policy", "--policy-name",
                   "AWSLoadBalancerControllerIAMPolicy", "--policy-document",
                   "file://" + path)
            res = install(sb, "--timeout", "60", check=False)
            self.assertEqual(res.returncode, 0, res.stdout + res.stderr)
            self.assertIn("grants every action of", res.stdout)
            policy = aws(sb, "iam", "get-policy", "--policy-arn", POLICY_ARN)["Policy"]
            self.assertEqual(policy["DefaultVersionId"], "v1")

    def test_older_policy_updated_and_kept(self):
        """A policy someone else created from an older document gets a new
        default version, and uninstall leaves it."""
        with Sandbox(world=WORLD) as sb:
            older = os.path.join(sb.dir.name, "older.json")
            with open(older, "w") as f:
                json.dump({"Version": "2012-10-17", "Statement": [
                    {"Effect": "Allow", "Action": "ec2:DescribeVpcs",
                     "Resource": "*"}]}, f)
            sb.aws("iam", "create-policy", "--policy-name",
                   "AWSLoadBalancerControllerIAMPolicy", "--policy-document",
                   "file://" + older)
            res = install(sb, "--timeout", "60", check=False)
            self.assertIn("lacks ", res.stdout)
            self.assertIn("added a new default version", res.stdout)
            policy = aws(sb, "iam", "get-policy", "--policy-arn", POLICY_ARN)["Policy"]
            self.assertEqual(policy["DefaultVersionId"], "v2")
            version = aws(sb, "iam", "get-policy-version", "--policy-arn", POLICY_ARN,
                          "--version-id", "v2")["PolicyVersion"]
            with open(POLICY_FILE) as f:
                self.assertEqual(version["Document"], json.load(f))
            res = sb.albatross("uninstall", "controller", "--cluster", CLUSTER, *FAST,
                               check=False, timeout=120, AWS_REGION=REGION)
            self.assertEqual(res.returncode, 0, res.stdout + res.stderr)
            self.assertIn("lacks the tag albatross.io/version", res.stdout)
            self.assertIsNotNone(aws(sb, "iam", "get-policy", "--policy-arn", POLICY_ARN))


class Refusals(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.sb = Sandbox(world=WORLD).start()

    @classmethod
    def tearDownClass(cls):
        cls.sb.stop()

    def run_logged(self, *args):
        before = len(self.sb.output())
        res = self.sb.albatross(*args, check=False, timeout=120, AWS_REGION=REGION)
        return res, self.sb.output()[before:]

    def test_readonly_sends_no_request(self):
        for verb, extra in (("install", ()), ("upgrade", ("--version", "v2.5.4")),
                            ("uninstall", ()),
                            ("install", ("--identity", "pod-identity"))):
            with self.subTest(verb=verb):
                res, log = self.run_logged(verb, "controller", "--cluster", CLUSTER,
                                           "--readonly", *extra)
                self.assertEqual(res.returncode, 2, res.stdout + res.stderr)
                self.assertIn("ReadOnly", res.stderr)
                self.assertIn("--readonly", res.stderr)
                self.assertEqual(REQUEST_LINE.findall(log), [], log)

    def test_cluster_without_oidc_provider(self):
        res, log = self.run_logged("install", "controller", "--cluster", "no-provider",
                                   *FAST)
        self.assertEqual(res.returncode, 1)
        self.assertIn('cluster "no-provider" has no IAM OIDC provider', res.stdout)
        self.assertIn("eksctl utils associate-iam-oidc-provider --cluster no-provider "
                      "--region us-east-2 --approve", res.stdout)
        self.assertNotIn("CreatePolicy", log)
        self.assertNotIn("PATCH", log)

    def test_cluster_without_issuer(self):
        res, _ = self.run_logged("install", "controller", "--cluster", "no-oidc", *FAST)
        self.assertEqual(res.returncode, 1)
        self.assertIn('cluster "no-oidc" has no OIDC issuer', res.stdout)


class PodIdentity(unittest.TestCase):
    def associations(self, sb):
        return aws(sb, "eks", "list-pod-identity-associations", "--cluster-name",
                   CLUSTER, "--namespace", NS)["associations"]

    def agent(self, sb, check=True):
        found = aws(sb, "eks", "describe-addon", "--cluster-name", CLUSTER,
                    "--addon-name", AGENT, check=check)
        return found["addon"] if found else None

    def test_install_creates_agent_and_alb(self):
        with Sandbox(world=WORLD) as sb:
            self.assertIsNone(self.agent(sb, check=False))
            res = install(sb, "--identity", "pod-identity", "--timeout", "60",
                          check=False)
            self.assertEqual(res.returncode, 0, res.stdout + res.stderr)
            self.assertIn("created add-on %s" % AGENT, res.stdout)
            self.assertIn("add-on %s v" % AGENT, res.stdout)
            agent = self.agent(sb)
            self.assertEqual(agent["status"], "ACTIVE")
            self.assertEqual(agent["clusterName"], CLUSTER)
            name = alb_of_ingress(sb)
            self.assertTrue(name and name.endswith(".elb.amazonaws.com"), name)
            lbs = aws(sb, "elbv2", "describe-load-balancers")["LoadBalancers"]
            self.assertIn(name, [lb["DNSName"] for lb in lbs])

            before = len(sb.output())
            res = install(sb, "--identity", "pod-identity", "--timeout", "60",
                          check=False)
            self.assertEqual(res.returncode, 0, res.stdout + res.stderr)
            self.assertIn("add-on %s %s is ACTIVE; reusing it"
                          % (AGENT, agent["addonVersion"]), res.stdout)
            self.assertNotIn("POST /clusters/%s/addons " % CLUSTER,
                             sb.output()[before:])

    def test_install_and_uninstall_with_pod_identity(self):
        role = "AmazonEKSLoadBalancerControllerRole"
        with Sandbox(world=WORLD) as sb:
            res = install(sb, "--identity", "pod-identity", "--timeout", "60",
                          check=False)
            self.assertEqual(res.returncode, 0, res.stdout + res.stderr)
            self.assertNotIn("iamserviceaccount", res.stdout)
            found = self.associations(sb)
            self.assertEqual([(a["namespace"], a["serviceAccount"]) for a in found],
                             [(NS, NAME)])
            detail = aws(sb, "eks", "describe-pod-identity-association",
                         "--cluster-name", CLUSTER, "--association-id",
                         found[0]["associationId"])["association"]
            self.assertEqual(detail["roleArn"],
                             "arn:aws:iam::%s:role/%s" % (ACCOUNT, role))
            trust = aws(sb, "iam", "get-role", "--role-name", role)[
                "Role"]["AssumeRolePolicyDocument"]["Statement"][0]
            self.assertEqual(trust["Principal"], {"Service": "pods.eks.amazonaws.com"})
            self.assertEqual(sorted(trust["Action"]), ["sts:AssumeRole", "sts:TagSession"])
            attached = aws(sb, "iam", "list-attached-role-policies", "--role-name",
                           role)["AttachedPolicies"]
            self.assertEqual([p["PolicyArn"] for p in attached], [POLICY_ARN])
            sa = kube_get(sb, "serviceaccounts", NAME, True)
            self.assertNotIn("eks.amazonaws.com/role-arn",
                             sa["metadata"].get("annotations", {}))

            res = sb.albatross("uninstall", "controller", "--cluster", CLUSTER,
                               "--identity", "pod-identity", *FAST, check=False,
                               timeout=120, AWS_REGION=REGION)
            self.assertEqual(res.returncode, 0, res.stdout + res.stderr)
            self.assertIn("add-on %s is left in place" % AGENT, res.stdout)
            self.assertEqual(self.agent(sb)["status"], "ACTIVE")
            self.assertEqual(self.associations(sb), [])
            self.assertIsNone(aws(sb, "iam", "get-role", "--role-name", role,
                                  check=False))
            self.assertIsNone(aws(sb, "iam", "get-policy", "--policy-arn", POLICY_ARN,
                                  check=False))


class DemoTakeover(unittest.TestCase):
    """On the demo world's staging cluster the world file's controller
    cannot assume its role (the trust names another service account), so
    its ingress fails to get credentials. An install with a working IRSA
    role replaces that controller, which then gets past credentials to
    the cluster's next fault: subnets without the role tags."""

    CONTEXT = "arn:aws:eks:eu-west-1:111122223333:cluster/staging"

    def setUp(self):
        self.sb = Sandbox().start()
        self.addCleanup(self.sb.stop)

    def messages(self):
        out = self.sb.kubectl("--context", self.CONTEXT, "get", "events",
                              "-n", "web", "-o", "json").stdout
        return [e["message"] for e in json.loads(out)["items"]
                if e["reason"] == "FailedBuildModel"]

    def test_install_replaces_world_controller(self):
        before = self.messages()
        self.assertTrue(any("get credentials" in m for m in before), before)
        res = self.sb.albatross("install", "controller", "--cluster", "staging",
                                *FAST, check=False, timeout=120,
                                AWS_REGION="eu-west-1")
        self.assertEqual(res.returncode, 0, res.stderr)
        after = wait_for("the new controller's event", lambda: [
            m for m in self.messages()
            if "unable to discover at least one subnet" in m])
        self.assertTrue(after, self.messages())


if __name__ == "__main__":
    unittest.main()
