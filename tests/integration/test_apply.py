"""albatross apply -f / delete -f against the sandbox's CloudFormation.

The standard eksctl setup (a cluster with iam.withOIDC, one managed node
group, one service account with an inline attachPolicy) is applied, and
what exists is read back with the aws CLI and kubectl as oracles. Each
test runs its own sandbox on tests/worlds/cfn.yaml: one VPC exists and
the quota is two, so the cluster stack's VPC fits, and a world with a
quota of one makes the stack roll back.
"""

import json
import os
import signal
import subprocess
import tempfile
import time
import unittest

from sandbox import ALBATROSS, ROOT, Sandbox, TEST_WORLDS
from test_oidc import last_cert_sha1

WORLD = os.path.join(TEST_WORLDS, "cfn.yaml")
CLUSTER_STACK = "eksctl-demo-cluster"
SA_STACK = "eksctl-demo-addon-iamserviceaccount-default-s3-reader"
NG_STACK = "eksctl-demo-nodegroup-workers"
STACKS = [CLUSTER_STACK, SA_STACK, NG_STACK]

CONFIG = """\
apiVersion: eksctl.io/v1alpha5
kind: ClusterConfig
metadata:
  name: demo
  region: us-east-2
  tags:
    team: payments
iam:
  withOIDC: true
  serviceAccounts:
  - metadata:
      name: s3-reader
      namespace: default
    attachPolicy:
      Version: "2012-10-17"
      Statement:
      - Effect: Allow
        Action: ["s3:GetObject"]
        Resource: ["arn:aws:s3:::shop-orders/*"]
managedNodeGroups:
- name: workers
  instanceType: m5.large
  desiredCapacity: 2
"""

# A service account in a namespace the cluster does not have yet, with
# the controller's well-known policy, as the controller's own account is
# usually set up.
LBC_CONFIG = CONFIG.replace("""managedNodeGroups:
""", """  - metadata:
      name: aws-load-balancer-controller
      namespace: lbc-system
    wellKnownPolicies:
      awsLoadBalancerController: true
managedNodeGroups:
""")
LBC_STACK = "eksctl-demo-addon-iamserviceaccount-lbc-system-aws-load-balancer-controller"


class ApplyTest(unittest.TestCase):
    world = WORLD
    clock = "instant"

    def setUp(self):
        self.sb = Sandbox(self.world, args=["--clock-speed", self.clock]).start()
        self.addCleanup(self.sb.stop)
        self.config = os.path.join(self.sb.dir.name, "cluster.yaml")
        with open(self.config, "w") as f:
            f.write(CONFIG)

    def run_albatross(self, verb, *extra, check=False):
        return self.sb.albatross(verb, "-f", self.config, "--poll-interval", "50",
                                 *extra, check=check, timeout=120, LANG="C.UTF-8")

    def aws(self, *args):
        return json.loads(self.sb.aws(*args).stdout or "{}")

    def fails(self, *args):
        res = self.sb.aws(*args, check=False)
        self.assertNotEqual(res.returncode, 0, res.stdout)
        return res.stderr

    def stack(self, name):
        return self.aws("cloudformation", "describe-stacks", "--stack-name", name)["Stacks"][0]

    def live_stacks(self):
        """Every stack ever made, deleted ones too: a duplicate create
        would show up here as a second summary of one name."""
        return self.aws("cloudformation", "list-stacks")["StackSummaries"]

    def vpcs(self):
        return [v["VpcId"] for v in self.aws("ec2", "describe-vpcs")["Vpcs"]]

    def providers(self):
        return [p["Arn"] for p in
                self.aws("iam", "list-open-id-connect-providers")["OpenIDConnectProviderList"]]

    def role_of(self, stack):
        return next(o["OutputValue"] for o in self.stack(stack)["Outputs"]
                    if o["OutputKey"] == "Role1")

    def kubectl(self, *args):
        kubeconfig = os.path.join(self.sb.dir.name, "demo-kubeconfig")
        if not os.path.exists(kubeconfig):
            self.sb.aws("eks", "update-kubeconfig", "--name", "demo", "--kubeconfig", kubeconfig)
        return self.sb.kubectl("--kubeconfig", kubeconfig, *args).stdout

    def service_account_annotation(self, name="s3-reader", namespace="default"):
        out = self.kubectl("get", "serviceaccount", name, "-n", namespace, "-o", "json")
        return json.loads(out)["metadata"].get("annotations", {}).get("eks.amazonaws.com/role-arn")

    def issuer_host(self):
        cluster = self.aws("eks", "describe-cluster", "--name", "demo")["cluster"]
        return cluster["identity"]["oidc"]["issuer"][len("https://"):]

    def provider_tags(self, arn):
        return {t["Key"]: t["Value"] for t in self.aws(
            "iam", "list-open-id-connect-provider-tags",
            "--open-id-connect-provider-arn", arn)["Tags"]}

    def assert_provider(self, host):
        """The provider has the thumbprint of the issuer's last certificate
        (OpenSSL's command line is the oracle) and eksctl's tags."""
        arn = "arn:aws:iam::111122223333:oidc-provider/" + host
        provider = self.aws("iam", "get-open-id-connect-provider",
                            "--open-id-connect-provider-arn", arn)
        port = int(host.split("/", 1)[0].rsplit(":", 1)[1])
        self.assertEqual(provider["ThumbprintList"], [last_cert_sha1(port)])
        tags = self.provider_tags(arn)
        self.assertEqual(tags["alpha.eksctl.io/cluster-name"], "demo")
        self.assertEqual(tags["eksctl.cluster.k8s.io/v1alpha1/cluster-name"], "demo")
        self.assertEqual(tags["team"], "payments")

    def assert_setup_exists(self):
        for name in STACKS:
            self.assertEqual(self.stack(name)["StackStatus"], "CREATE_COMPLETE", name)
        tags = {t["Key"]: t["Value"] for t in self.stack(CLUSTER_STACK)["Tags"]}
        self.assertEqual(tags["alpha.eksctl.io/cluster-name"], "demo")
        self.assertEqual(tags["team"], "payments")
        cluster = self.aws("eks", "describe-cluster", "--name", "demo")["cluster"]
        self.assertEqual(cluster["status"], "ACTIVE")
        issuer = cluster["identity"]["oidc"]["issuer"]
        host = issuer[len("https://"):]
        self.assertEqual([a for a in self.providers() if a.endswith(":oidc-provider/" + host)],
                         ["arn:aws:iam::111122223333:oidc-provider/" + host])
        self.assert_provider(host)
        self.assertEqual(cluster["tags"].get("alpha.eksctl.io/cluster-oidc-enabled"), "true")
        role_arn = self.role_of(SA_STACK)
        role = self.aws("iam", "get-role", "--role-name", role_arn.rsplit("/", 1)[1])["Role"]
        trust = json.dumps(role["AssumeRolePolicyDocument"])
        self.assertIn(host + ":sub", trust)
        self.assertIn("system:serviceaccount:default:s3-reader", trust)
        self.assertEqual(self.service_account_annotation(), role_arn)
        nodegroup = self.aws("eks", "describe-nodegroup", "--cluster-name", "demo",
                             "--nodegroup-name", "workers")["nodegroup"]
        self.assertEqual(nodegroup["status"], "ACTIVE")
        # The node group stack's NodeInstanceRole, as CloudFormation made it.
        node_role = self.aws("iam", "get-role", "--role-name",
                             nodegroup["nodeRole"].rsplit("/", 1)[1])["Role"]
        self.assertEqual(node_role["Arn"], nodegroup["nodeRole"])
        self.assertIn("ec2.amazonaws.com", json.dumps(node_role["AssumeRolePolicyDocument"]))

    def test_apply_twice_creates_once(self):
        res = self.run_albatross("apply")
        self.assertEqual(res.returncode, 0, res.stdout + res.stderr)
        self.assertIn('[✔]  created stack "eksctl-demo-cluster"', res.stdout)
        self.assertIn("AWS::EC2::VPC/VPC: CREATE_COMPLETE", res.stdout)
        self.assert_setup_exists()
        before = (self.live_stacks(), self.vpcs(), self.providers(), self.role_of(SA_STACK))

        again = self.run_albatross("apply")
        self.assertEqual(again.returncode, 0, again.stdout + again.stderr)
        self.assertNotIn("deploying stack", again.stdout)
        for name in STACKS:
            self.assertIn('stack "%s" exists already (CREATE_COMPLETE); skipping it' % name,
                          again.stdout)
        self.assertEqual((self.live_stacks(), self.vpcs(), self.providers(),
                          self.role_of(SA_STACK)), before)
        self.assert_setup_exists()

    def test_delete_removes_stack_resources(self):
        vpcs_before = self.vpcs()
        self.assertEqual(self.run_albatross("apply").returncode, 0)
        role = self.role_of(SA_STACK).rsplit("/", 1)[1]
        host = self.issuer_host()
        res = self.run_albatross("delete")
        self.assertEqual(res.returncode, 0, res.stdout + res.stderr)
        self.assertIn("deleted IAM OIDC provider", res.stdout)
        self.assertEqual([a for a in self.providers() if a.endswith(host)], [])
        order = [res.stdout.index('deleted stack "%s"' % n) for n in (SA_STACK, NG_STACK, CLUSTER_STACK)]
        self.assertEqual(order, sorted(order))
        for name in STACKS:
            self.assertIn("does not exist", self.fails("cloudformation", "describe-stacks",
                                                       "--stack-name", name))
        self.assertIn("ResourceNotFoundException", self.fails("eks", "describe-cluster", "--name", "demo"))
        self.assertIn("NoSuchEntity", self.fails("iam", "get-role", "--role-name", role))
        self.assertEqual(self.vpcs(), vpcs_before)
        self.assertEqual(self.aws("ec2", "describe-subnets")["Subnets"], [])
        again = self.run_albatross("delete")
        self.assertEqual(again.returncode, 0, again.stdout)
        self.assertIn('stack "%s" does not exist; nothing to delete' % CLUSTER_STACK, again.stdout)

    def test_delete_keeps_provider_not_tagged_for_cluster(self):
        self.assertEqual(self.run_albatross("apply").returncode, 0)
        host = self.issuer_host()
        arn = "arn:aws:iam::111122223333:oidc-provider/" + host
        self.sb.aws("iam", "untag-open-id-connect-provider", "--open-id-connect-provider-arn",
                    arn, "--tag-keys", "alpha.eksctl.io/cluster-name",
                    "eksctl.cluster.k8s.io/v1alpha1/cluster-name")
        res = self.run_albatross("delete")
        self.assertEqual(res.returncode, 0, res.stdout + res.stderr)
        self.assertIn("kept IAM OIDC provider %s: it carries neither "
                      "alpha.eksctl.io/cluster-name=demo nor "
                      "eksctl.cluster.k8s.io/v1alpha1/cluster-name=demo" % arn, res.stdout)
        self.assertIn(arn, self.providers())
        self.assertIn('deleted stack "%s"' % CLUSTER_STACK, res.stdout)

    def test_new_namespace_and_controller_policy(self):
        with open(self.config, "w") as f:
            f.write(LBC_CONFIG)
        plan = self.run_albatross("apply", "--dry-run", "--show-templates")
        self.assertEqual(plan.returncode, 0, plan.stdout + plan.stderr)
        self.assertIn("PolicyAWSLoadBalancerController", plan.stdout)
        self.assertIn("create the namespace lbc-system if it is missing", plan.stdout)

        res = self.run_albatross("apply")
        self.assertEqual(res.returncode, 0, res.stdout + res.stderr)
        self.assertIn('creating namespace "lbc-system"', res.stdout)
        namespaces = json.loads(self.kubectl("get", "namespaces", "-o", "json"))["items"]
        self.assertIn("lbc-system", [n["metadata"]["name"] for n in namespaces])
        role_arn = self.role_of(LBC_STACK)
        self.assertEqual(self.service_account_annotation("aws-load-balancer-controller",
                                                         "lbc-system"), role_arn)
        role = role_arn.rsplit("/", 1)[1]
        names = self.aws("iam", "list-role-policies", "--role-name", role)["PolicyNames"]
        self.assertEqual(names, [LBC_STACK + "-PolicyAWSLoadBalancerController"])
        document = self.aws("iam", "get-role-policy", "--role-name", role,
                            "--policy-name", names[0])["PolicyDocument"]
        with open(os.path.join(ROOT, "data", "lbc", "iam_policy.json")) as f:
            self.assertEqual(document, json.load(f))

    def test_readonly_changes_nothing(self):
        res = self.run_albatross("apply", "--readonly")
        self.assertEqual(res.returncode, 1, res.stdout + res.stderr)
        self.assertIn("read-only (--readonly), so nothing was changed", res.stdout)
        self.assertIn("ReadOnly", res.stdout)
        self.assertEqual(self.live_stacks(), [])


class RollbackTest(ApplyTest):
    """A quota of one VPC, which the world's own VPC uses up."""

    def setUp(self):
        with open(WORLD) as f:
            text = f.read()
        self.assertIn("vpcsPerRegion: 2", text)
        tmp = tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False)
        tmp.write(text.replace("vpcsPerRegion: 2", "vpcsPerRegion: 1"))
        tmp.close()
        self.addCleanup(os.unlink, tmp.name)
        self.world = tmp.name
        super().setUp()

    def test_rollback_names_failing_resource(self):
        res = self.run_albatross("apply")
        self.assertEqual(res.returncode, 1, res.stdout + res.stderr)
        self.assertIn("[✖]  AWS::EC2::VPC/VPC: CREATE_FAILED – \"", res.stdout)
        self.assertIn("VpcLimitExceeded", res.stdout)
        self.assertIn('stack "eksctl-demo-cluster" is ROLLBACK_COMPLETE; AWS::EC2::VPC/VPC',
                      res.stdout)
        self.assertIn("run albatross delete -f %s, then albatross apply -f %s again"
                      % (self.config, self.config), res.stdout)
        self.assertEqual(self.stack(CLUSTER_STACK)["StackStatus"], "ROLLBACK_COMPLETE")
        # A second apply reports the same and creates nothing.
        again = self.run_albatross("apply")
        self.assertEqual(again.returncode, 1)
        self.assertNotIn("deploying stack", again.stdout)
        self.assertIn("AWS::EC2::VPC/VPC: CREATE_FAILED", again.stdout)
        self.assertEqual(len(self.live_stacks()), 1)

    # The tests of the parent need a quota that fits.
    test_apply_twice_creates_once = None
    test_delete_removes_stack_resources = None
    test_delete_keeps_provider_not_tagged_for_cluster = None
    test_new_namespace_and_controller_policy = None
    test_readonly_changes_nothing = None


class InterruptTest(ApplyTest):
    """The cluster takes 3 sandbox seconds at real speed, so an apply can
    be killed while its stack is in progress."""
    clock = "1"

    def start_apply(self):
        return subprocess.Popen([ALBATROSS, "apply", "-f", self.config, "--poll-interval", "50"],
                                env=self.sb.client_env(LANG="C.UTF-8"), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)

    def wait_for_line(self, proc, text):
        lines = []
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            lines.append(line)
            if text in line:
                return lines
        proc.kill()
        self.fail("no line with %r in %r" % (text, lines))

    def test_kill_during_cluster_stack_resumes(self):
        proc = self.start_apply()
        self.wait_for_line(proc, "AWS::EKS::Cluster/ControlPlane: CREATE_IN_PROGRESS")
        proc.send_signal(signal.SIGKILL)
        proc.communicate()
        self.assertEqual(self.stack(CLUSTER_STACK)["StackStatus"], "CREATE_IN_PROGRESS")
        res = self.run_albatross("apply")
        self.assertEqual(res.returncode, 0, res.stdout + res.stderr)
        self.assertNotIn('deploying stack "%s"' % CLUSTER_STACK, res.stdout)
        self.assertIn('waiting for CloudFormation stack "%s"' % CLUSTER_STACK, res.stdout)
        self.assertEqual(sorted(s["StackName"] for s in self.live_stacks()), sorted(STACKS))
        self.assertEqual(len(self.vpcs()), 2)
        self.assert_setup_exists()

    def test_sigint_stops_then_resumes(self):
        proc = self.start_apply()
        self.wait_for_line(proc, "AWS::EKS::Cluster/ControlPlane: CREATE_IN_PROGRESS")
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=30)
        self.assertEqual(proc.returncode, 1)
        self.assertIn("interrupted; run albatross apply -f %s again" % self.config, out)
        self.assertIn("[!]  eksctl-demo-cluster: interrupted", out)
        self.assertIn("[!]  eksctl-demo-nodegroup-workers: pending", out)
        res = self.run_albatross("apply")
        self.assertEqual(res.returncode, 0, res.stdout + res.stderr)
        self.assertEqual(sorted(s["StackName"] for s in self.live_stacks()), sorted(STACKS))

    test_apply_twice_creates_once = None
    test_delete_removes_stack_resources = None
    test_delete_keeps_provider_not_tagged_for_cluster = None
    test_new_namespace_and_controller_policy = None
    test_readonly_changes_nothing = None


if __name__ == "__main__":
    unittest.main()
