"""The demo world's newcomer walkthrough from the command line.

legacy-batch has an OIDC issuer without an IAM OIDC provider, tagged
subnets, two ingresses and no controller. On it albatross associates the
OIDC provider, gives the app's service account an IRSA role through an
iamserviceaccount stack, installs the AWS Load Balancer Controller and
then removes it again. The aws CLI and kubectl are the oracles: the ALBs
ELBv2 lists must be the ones the ingresses' status names, and after the
uninstall neither the controller's objects nor its role may remain.
"""

import json
import os
import re
import tempfile
import time
import unittest

import sandbox
from sandbox import Sandbox

DEMO = os.path.join(sandbox.WORLDS, "demo.yaml")
ACCOUNT = "111122223333"
CLUSTER = "legacy-batch"
REGION = "us-west-2"
VPC = "vpc-0e4f5a6b7c8d9e0f1"
CONTEXT = "arn:aws:eks:%s:%s:cluster/%s" % (REGION, ACCOUNT, CLUSTER)
NS = "kube-system"
CONTROLLER = "aws-load-balancer-controller"
CONTROLLER_STACK = ("eksctl-%s-addon-iamserviceaccount-kube-system-"
                    "aws-load-balancer-controller" % CLUSTER)
APP_ACCOUNT = "batch/report-exporter"
APP_STACK = "eksctl-%s-addon-iamserviceaccount-batch-report-exporter" % CLUSTER
APP_POLICY = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
CONTROLLER_POLICY = "arn:aws:iam::%s:policy/AWSLoadBalancerControllerIAMPolicy" % ACCOUNT
ROLE_ANNOTATION = "eks.amazonaws.com/role-arn"
# The demo's ingresses on legacy-batch, by name: the scheme each requests
# and the subnet role tag the ALB's subnets must carry for it.
INGRESSES = {
    "reports": ("internet-facing", "kubernetes.io/role/elb"),
    "jobs-api": ("internal", "kubernetes.io/role/internal-elb"),
}
# The world's timing runs 20 times as fast, so an ALB is provisioning
# for about 0.15 s (3 sandbox seconds) before it is active.
CLOCK = ("--clock-speed", "20")
FAST = ("--poll-interval", "100")

# (kubectl resource, name, namespaced) of what install applies.
CONTROLLER_OBJECTS = [
    ("customresourcedefinitions", "targetgroupbindings.elbv2.k8s.aws", False),
    ("customresourcedefinitions", "ingressclassparams.elbv2.k8s.aws", False),
    ("serviceaccounts", CONTROLLER, True),
    ("roles.rbac.authorization.k8s.io", CONTROLLER + "-leader-election-role", True),
    ("rolebindings.rbac.authorization.k8s.io",
     CONTROLLER + "-leader-election-rolebinding", True),
    ("clusterroles.rbac.authorization.k8s.io", CONTROLLER + "-role", False),
    ("clusterrolebindings.rbac.authorization.k8s.io", CONTROLLER + "-rolebinding", False),
    ("secrets", "aws-load-balancer-tls", True),
    ("services", "aws-load-balancer-webhook-service", True),
    ("deployments.apps", CONTROLLER, True),
    ("ingressclasses.networking.k8s.io", "alb", False),
    ("mutatingwebhookconfigurations", "aws-load-balancer-webhook", False),
    ("validatingwebhookconfigurations", "aws-load-balancer-webhook", False),
]


def wait_for(probe, seconds=30):
    """Polls probe until it returns something true or seconds pass,
    because the sandbox's controller reconciles on its own schedule."""
    deadline = time.monotonic() + seconds
    while True:
        value = probe()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.2)


class Walkthrough:
    """One sandbox of a world and the walkthrough's steps against it."""

    def __init__(self, world=DEMO):
        self.sb = Sandbox(world=world, args=CLOCK).start()

    def stop(self):
        self.sb.stop()

    def albatross(self, *args):
        return self.sb.albatross(*args, check=False, timeout=120, AWS_REGION=REGION)

    def associate(self):
        return self.albatross("associate", "oidc-provider", "--cluster", CLUSTER)

    def create_app_role(self):
        return self.albatross("create", "role", "--stack", "--cluster", CLUSTER,
                              "--service-account", APP_ACCOUNT, "--policy", APP_POLICY,
                              *FAST)

    def install(self):
        return self.albatross("install", "controller", "--cluster", CLUSTER,
                              "--timeout", "60", *FAST)

    def uninstall(self):
        return self.albatross("uninstall", "controller", "--cluster", CLUSTER, *FAST)

    def aws(self, *args, check=True):
        """The aws CLI's JSON output, or None when it exits non-zero and
        check is false."""
        res = self.sb.aws("--region", REGION, *args, check=check)
        if res.returncode != 0:
            return None
        return json.loads(res.stdout) if res.stdout.strip() else {}

    def kubectl_json(self, *args):
        return json.loads(self.sb.kubectl("--context", CONTEXT, *args,
                                          "-o", "json").stdout)

    def load_balancers(self):
        return self.aws("elbv2", "describe-load-balancers")["LoadBalancers"]

    def ingress_hostnames(self):
        """Ingress name to its status.loadBalancer hostname (None without)."""
        items = self.kubectl_json("get", "ingress", "-n", "batch")["items"]
        names = {}
        for item in items:
            entries = item["status"].get("loadBalancer", {}).get("ingress") or [{}]
            names[item["metadata"]["name"]] = entries[0].get("hostname")
        return names

    def events(self, reason):
        items = self.kubectl_json("get", "events", "-n", "batch")["items"]
        return [e["message"] for e in items if e["reason"] == reason]

    def service_account_role(self, namespace, name):
        sa = self.kubectl_json("get", "serviceaccount", name, "-n", namespace)
        return sa["metadata"].get("annotations", {}).get(ROLE_ANNOTATION)

    def stack_output_role(self, stack):
        found = self.aws("cloudformation", "describe-stacks", "--stack-name", stack)
        outputs = found["Stacks"][0]["Outputs"]
        return next(o["OutputValue"] for o in outputs if o["OutputKey"] == "Role1")

    def controller_objects(self):
        """The kubectl names (KIND.GROUP/NAME) of the CONTROLLER_OBJECTS
        that exist, read with one kubectl call for the namespaced ones
        and one for the others, because each call fetches a token."""
        found = []
        for namespaced in (True, False):
            refs = ["%s/%s" % (resource, name)
                    for resource, name, in_namespace in CONTROLLER_OBJECTS
                    if in_namespace == namespaced]
            args = ["--context", CONTEXT, "get", *refs, "-o", "name",
                    "--ignore-not-found"]
            if namespaced:
                args += ["-n", NS]
            found += self.sb.kubectl(*args).stdout.split()
        return found


def both_hostnames(walk):
    names = walk.ingress_hostnames()
    return names if all(names.get(name) for name in INGRESSES) else None


class InstallOnLegacyBatch(unittest.TestCase):
    """associate, create role --stack and install, in the README's order."""

    @classmethod
    def setUpClass(cls):
        cls.walk = Walkthrough()
        cls.before_lbs = cls.walk.load_balancers()
        cls.before_hostnames = cls.walk.ingress_hostnames()
        cls.associated = cls.walk.associate()
        cls.app_role = cls.walk.create_app_role()
        cls.installed = cls.walk.install()

    @classmethod
    def tearDownClass(cls):
        cls.walk.stop()

    def test_nothing_before_install(self):
        self.assertEqual(self.before_lbs, [])
        self.assertEqual(self.before_hostnames, {name: None for name in INGRESSES})

    def test_oidc_provider_associated(self):
        self.assertEqual(self.associated.returncode, 0, self.associated.stderr)
        issuer = self.walk.aws("eks", "describe-cluster", "--name", CLUSTER)[
            "cluster"]["identity"]["oidc"]["issuer"]
        arn = "arn:aws:iam::%s:oidc-provider/%s" % (ACCOUNT, issuer[len("https://"):])
        self.assertIn("created IAM OIDC provider " + arn, self.associated.stdout)
        providers = self.walk.aws("iam", "list-open-id-connect-providers")
        self.assertIn(arn, [p["Arn"] for p in providers["OpenIDConnectProviderList"]])

    def test_app_service_account_has_irsa_role(self):
        self.assertEqual(self.app_role.returncode, 0, self.app_role.stderr)
        arn = self.walk.stack_output_role(APP_STACK)
        self.assertEqual(self.walk.service_account_role("batch", "report-exporter"), arn)
        role = arn.rsplit("/", 1)[1]
        trust = self.walk.aws("iam", "get-role", "--role-name", role)[
            "Role"]["AssumeRolePolicyDocument"]["Statement"][0]
        subjects = [v for k, v in trust["Condition"]["StringEquals"].items()
                    if k.endswith(":sub")]
        self.assertEqual(subjects, ["system:serviceaccount:batch:report-exporter"])
        attached = self.walk.aws("iam", "list-attached-role-policies", "--role-name", role)
        self.assertEqual([p["PolicyArn"] for p in attached["AttachedPolicies"]],
                         [APP_POLICY])

    def test_rollout_finished(self):
        out = self.installed.stdout
        self.assertEqual(self.installed.returncode, 0, out + self.installed.stderr)
        self.assertIn('Deployment "kube-system/%s" is rolled out: 2 available' % CONTROLLER,
                      out)
        self.assertIn("has ready endpoints", out)
        self.assertRegex(out, r'the AWS Load Balancer Controller v[0-9.]+ runs in "%s"'
                         % CLUSTER)
        deployment = self.walk.kubectl_json("get", "deployment", CONTROLLER, "-n", NS)
        self.assertEqual(deployment["status"]["availableReplicas"], 2)

    def test_controller_service_account_trusted_by_role(self):
        arn = self.walk.service_account_role(NS, CONTROLLER)
        self.assertEqual(arn, self.walk.stack_output_role(CONTROLLER_STACK))
        attached = self.walk.aws("iam", "list-attached-role-policies", "--role-name",
                                 arn.rsplit("/", 1)[1])
        self.assertEqual([p["PolicyArn"] for p in attached["AttachedPolicies"]],
                         [CONTROLLER_POLICY])

    def test_each_ingress_gets_its_alb(self):
        hostnames = wait_for(lambda: both_hostnames(self.walk))
        self.assertIsNotNone(hostnames, self.walk.events("FailedBuildModel"))
        by_dns = {lb["DNSName"]: lb for lb in self.walk.load_balancers()}
        self.assertEqual(len(by_dns), len(INGRESSES))
        for name, (scheme, _) in INGRESSES.items():
            with self.subTest(ingress=name):
                lb = by_dns.get(hostnames[name])
                self.assertIsNotNone(lb, (hostnames[name], sorted(by_dns)))
                self.assertEqual(lb["Scheme"], scheme)
                self.assertEqual(lb["VpcId"], VPC)
                self.assertEqual(lb["Type"], "application")

    def test_albs_placed_in_tagged_subnets(self):
        hostnames = wait_for(lambda: both_hostnames(self.walk))
        self.assertIsNotNone(hostnames)
        by_dns = {lb["DNSName"]: lb for lb in self.walk.load_balancers()}
        for name, (_, role_tag) in INGRESSES.items():
            with self.subTest(ingress=name):
                zones = by_dns[hostnames[name]]["AvailabilityZones"]
                ids = [z["SubnetId"] for z in zones]
                subnets = self.walk.aws("ec2", "describe-subnets", "--subnet-ids", *ids)
                for subnet in subnets["Subnets"]:
                    tags = {t["Key"]: t["Value"] for t in subnet.get("Tags", [])}
                    self.assertEqual(tags.get(role_tag), "1", subnet["SubnetId"])
                self.assertEqual(sorted(z["ZoneName"] for z in zones),
                                 ["us-west-2a", "us-west-2b"])

    def test_albs_become_active_with_healthy_targets(self):
        def settled():
            lbs = self.walk.load_balancers()
            active = [lb for lb in lbs if lb["State"]["Code"] == "active"]
            return lbs if len(active) == len(INGRESSES) else None
        lbs = wait_for(settled)
        self.assertIsNotNone(lbs, self.walk.load_balancers())
        for lb in lbs:
            groups = self.walk.aws("elbv2", "describe-target-groups",
                                   "--load-balancer-arn", lb["LoadBalancerArn"])
            self.assertEqual(len(groups["TargetGroups"]), 1, lb["LoadBalancerName"])
            for group in groups["TargetGroups"]:
                def healthy():
                    found = self.walk.aws("elbv2", "describe-target-health",
                                          "--target-group-arn", group["TargetGroupArn"])
                    states = [d["TargetHealth"]["State"]
                              for d in found["TargetHealthDescriptions"]]
                    return states if states and set(states) == {"healthy"} else None
                with self.subTest(target_group=group["TargetGroupName"]):
                    self.assertEqual(wait_for(healthy), ["healthy", "healthy"])


class UninstallFromLegacyBatch(unittest.TestCase):
    """uninstall removes what install added and keeps what it found."""

    @classmethod
    def setUpClass(cls):
        cls.walk = Walkthrough()
        cls.walk.associate()
        cls.walk.create_app_role()
        cls.installed = cls.walk.install()
        cls.controller_role = cls.walk.service_account_role(NS, CONTROLLER)
        cls.hostnames = wait_for(lambda: both_hostnames(cls.walk))
        cls.installed_objects = cls.walk.controller_objects()
        cls.removed = cls.walk.uninstall()

    @classmethod
    def tearDownClass(cls):
        cls.walk.stop()

    def test_install_then_uninstall_succeed(self):
        self.assertEqual(self.installed.returncode, 0, self.installed.stdout)
        self.assertIsNotNone(self.hostnames)
        self.assertEqual(self.removed.returncode, 0,
                         self.removed.stdout + self.removed.stderr)
        self.assertIn('the AWS Load Balancer Controller is uninstalled from "%s"' % CLUSTER,
                      self.removed.stdout)

    def test_controller_objects_deleted(self):
        self.assertEqual(len(self.installed_objects), len(CONTROLLER_OBJECTS),
                         self.installed_objects)
        self.assertEqual(self.walk.controller_objects(), [])

    def test_controller_stack_and_role_deleted(self):
        self.assertIsNotNone(self.controller_role)
        self.assertIsNone(self.walk.aws("cloudformation", "describe-stacks",
                                        "--stack-name", CONTROLLER_STACK, check=False))
        role = self.controller_role.rsplit("/", 1)[1]
        self.assertIsNone(self.walk.aws("iam", "get-role", "--role-name", role,
                                        check=False))

    def test_policy_albatross_did_not_create_is_kept(self):
        """The demo world has the controller's policy already, without
        albatross's version tag, so the uninstall must leave it."""
        self.assertIn("lacks the tag albatross.io/version", self.removed.stdout)
        policy = self.walk.aws("iam", "get-policy", "--policy-arn", CONTROLLER_POLICY)
        self.assertEqual(policy["Policy"]["Description"],
                         "Permissions of the AWS Load Balancer Controller")

    def test_app_role_kept_then_removed_by_its_stack(self):
        """The app's IRSA role belongs to the app, so the controller's
        uninstall leaves it. delete role --stack undoes it as eksctl
        delete iamserviceaccount does: the stack, then the annotation."""
        arn = self.walk.stack_output_role(APP_STACK)
        role = arn.rsplit("/", 1)[1]
        self.assertEqual(self.walk.service_account_role("batch", "report-exporter"), arn)
        self.assertIsNotNone(self.walk.aws("iam", "get-role", "--role-name", role))

        res = self.walk.albatross("delete", "role", "--stack", "--cluster", CLUSTER,
                                  "--service-account", APP_ACCOUNT, *FAST)
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertIsNone(self.walk.service_account_role("batch", "report-exporter"))
        self.assertIsNone(self.walk.aws("iam", "get-role", "--role-name", role,
                                        check=False))
        self.assertIsNone(self.walk.aws("cloudformation", "describe-stacks",
                                        "--stack-name", APP_STACK, check=False))


class UntaggedSubnets(unittest.TestCase):
    """The same walkthrough on a copy of the demo world whose legacy-batch
    subnets lost their role tags: the install succeeds, but the
    controller finds no subnet, so no ingress gets an ALB."""

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.TemporaryDirectory(prefix="albatross-demo-")
        with open(DEMO) as f:
            text = f.read()
        # Only legacy-batch's subnets have ids in the 22c33d44e55f66 range.
        untagged, count = re.subn(
            r"^(  - id: subnet-0.22c33d44e55f66.\n(?:    .*\n)*?)"
            r"      kubernetes\.io/role/(?:internal-)?elb: \"1\"\n", r"\1", text,
            flags=re.M)
        assert count == 4, count
        world = os.path.join(cls.dir.name, "demo-untagged.yaml")
        with open(world, "w") as f:
            f.write(untagged)
        cls.walk = Walkthrough(world)
        cls.walk.associate()
        cls.installed = cls.walk.install()

    @classmethod
    def tearDownClass(cls):
        cls.walk.stop()
        cls.dir.cleanup()

    def test_no_alb_and_subnet_event(self):
        self.assertEqual(self.installed.returncode, 0, self.installed.stdout)
        def one_per_ingress():
            found = self.walk.events("FailedBuildModel")
            return found if len(found) >= len(INGRESSES) else None
        failures = wait_for(one_per_ingress)
        self.assertIsNotNone(failures, self.walk.events("FailedBuildModel"))
        for message in failures:
            self.assertIn("unable to discover at least one subnet", message)
        self.assertEqual(self.walk.ingress_hostnames(),
                         {name: None for name in INGRESSES})
        self.assertEqual(self.walk.load_balancers(), [])


if __name__ == "__main__":
    unittest.main()
