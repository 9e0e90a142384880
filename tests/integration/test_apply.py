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

from sandbox import ALBATROSS, Sandbox, TEST_WORLDS

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

    def service_account_annotation(self):
        kubeconfig = os.path.join(self.sb.dir.name, "demo-kubeconfig")
        self.sb.aws("eks", "update-kubeconfig", "--name", "demo", "--kubeconfig", kubeconfig)
        out = self.sb.kubectl("--kubeconfig", kubeconfig, "get", "serviceaccount",
                              "s3-reader", "-n", "default", "-o", "json").stdout
        return json.loads(out)["metadata"].get("annotations", {}).get("eks.amazonaws.com/role-arn")

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
        role_arn = self.role_of(SA_STACK)
        role = self.aws("iam", "get-role", "--role-name", role_arn.rsplit("/", 1)[1])["Role"]
        trust = json.dumps(role["AssumeRolePolicyDocument"])
        self.assertIn(host + ":sub", trust)
        self.assertIn("system:serviceaccount:default:s3-reader", trust)
        self.assertEqual(self.service_account_annotation(), role_arn)
        nodegroup = self.aws("eks", "describe-nodegroup", "--cluster-name", "demo",
                             "--nodegroup-name", "workers")["nodegroup"]
        self.assertEqual(nodegroup["status"], "ACTIVE")

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
        res = self.run_albatross("delete")
        self.assertEqual(res.returncode, 0, res.stdout + res.stderr)
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
    test_readonly_changes_nothing = None


if __name__ == "__main__":
    unittest.main()
