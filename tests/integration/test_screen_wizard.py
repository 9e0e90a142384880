"""The setup wizard and the progress view driven through tmux against the
sandbox: defaults and one edited field up to the review screen, a
validation message while typing, Esc going back, the YAML and the plan
shown against what `albatross apply -f SAVED --dry-run` prints for the
saved file, the saved file's mode, and the layout at small terminal
sizes. WizardApplyTest carries out the apply from the UI against the
sandbox's CloudFormation: the cluster ACTIVE and the stacks made with
eksctl's names, a UI killed mid-apply resumed without duplicates, a
quit that asks for confirmation and stops the run, and a delete from
the UI."""

import json
import os
import re
import shutil
import signal
import stat
import subprocess
import tempfile
import unittest

from sandbox import Sandbox, TEST_WORLDS
from test_screen import Screen

WIDTH = 160
TALL = 160  # lines: the whole review fits on one screen
NAME = "shop-wizard"
DESIRED_TOO_HIGH = ("managedNodeGroups[0].desiredCapacity: must be between "
                    "minSize and maxSize (5 is not in 2..2)")


def review_lines(screen):
    """The review screen's lines from the YAML's marker on, unpadded."""
    lines = [l.rstrip() for l in screen.splitlines()]
    start = next(i for i, l in enumerate(lines)
                 if "--- ClusterConfig" in l)
    body = [l[1:] if l.startswith(" ") else l for l in lines[start:]]
    while body and not body[-1]:
        body.pop()
    return body


def matches_cut(shown, full):
    """Whether a screen line shows full, or its start cut with an
    ellipsis at the screen's edge."""
    if shown == full:
        return True
    return shown.endswith("\u2026") and full.startswith(shown[:-1])


class WizardScreenTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        if not shutil.which("tmux"):
            raise unittest.SkipTest("tmux is not installed")
        cls.box = Sandbox()
        cls.box.start()
        regions = json.loads(cls.box.aws("ec2", "describe-regions").stdout)
        cls.regions = [r["RegionName"] for r in regions["Regions"]]

    @classmethod
    def tearDownClass(cls):
        cls.box.stop()

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="albatross-wizard-")
        self.addCleanup(shutil.rmtree, self.dir, ignore_errors=True)

    def open(self, width=WIDTH, height=TALL):
        screen = Screen(self.box, (), width=width, height=height,
                        NO_COLOR="1")
        self.addCleanup(screen.close)
        screen.wait_for("clusters")
        screen.wait_idle()
        return screen

    def open_wizard(self, screen):
        screen.keys("w")
        return screen.wait_for("Setup wizard, step 1 of 6: Account")

    def test_walk_to_review_and_save(self):
        screen = self.open()
        text = self.open_wizard(screen)
        region = self.box.env["AWS_REGION"]
        self.assertRegex(text, r"Region\s+< %s >" % re.escape(region))
        self.assertIn("AWS profile", text)
        screen.keys("Enter")
        text = screen.wait_for("step 2 of 6: Cluster")
        self.assertRegex(text, r"> Cluster name\s+my-cluster")
        self.assertRegex(text, r"Kubernetes version\s+1\.\d+")
        self.assertRegex(text, r"Instance type\s+m5\.large")
        self.assertRegex(text, r"OIDC provider \(IRSA\)\s+\[x\] yes")
        # The one edited field: the cluster's name, typed in place.
        screen.keys("C-u")
        screen.type(NAME)
        screen.wait_for("Cluster name              %s" % NAME)
        screen.keys("Enter")
        text = screen.wait_for("step 3 of 6")
        self.assertRegex(text, r"Namespace\s+kube-system")
        self.assertRegex(text, r"Name\s+aws-load-balancer-controller")
        screen.keys("Enter")
        text = screen.wait_for("step 4 of 6: Review", "--- Plan")
        shown = review_lines(text)
        plan_at = next(i for i, l in enumerate(shown) if "--- Plan" in l)
        shown_yaml, shown_plan = shown[1:plan_at], shown[plan_at + 1:]

        screen.keys("Enter")
        screen.wait_for("step 5 of 6: Save", "%s.yaml" % NAME)
        saved = os.path.join(self.dir, "cluster.yaml")
        screen.keys("C-u")
        screen.type(saved)
        screen.keys("Enter")
        screen.wait_for("step 6 of 6: Apply", "saved %s (mode 0600)" % saved)

        self.assertEqual(stat.S_IMODE(os.stat(saved).st_mode), 0o600)
        with open(saved) as f:
            self.assertEqual(shown_yaml, f.read().rstrip("\n").split("\n"))
        dry = self.box.albatross("apply", "-f", saved, "--dry-run").stdout
        dry_lines = dry.rstrip("\n").split("\n")
        # The first line names the source: the wizard, then the file.
        self.assertIn("from wizard", shown_plan[0])
        self.assertIn("from %s" % saved, dry_lines[0])
        self.assertEqual(len(shown_plan), len(dry_lines))
        for got, want in zip(shown_plan[1:], dry_lines[1:]):
            self.assertTrue(matches_cut(got, want), "%r\n!=\n%r" % (got, want))
        stacks = re.findall(r"create stack (\S+)", dry)
        self.assertEqual(stacks, [
            "eksctl-%s-cluster" % NAME,
            "eksctl-%s-addon-iamserviceaccount-kube-system-"
            "aws-load-balancer-controller" % NAME,
            "eksctl-%s-nodegroup-ng-1" % NAME])
        self.assertEqual(re.findall(r"create stack (\S+)", "\n".join(shown_plan)),
                         stacks)


    def test_validation_while_typing_and_escape(self):
        screen = self.open(height=40)
        self.open_wizard(screen)
        screen.keys("Enter")
        screen.wait_for("step 2 of 6: Cluster")
        for _ in range(4):
            screen.keys("Down")
        screen.wait_for("> Desired nodes")
        screen.keys("BSpace")
        screen.type("5")
        text = screen.wait_for(DESIRED_TOO_HIGH)
        # The message sits under the field it is about.
        lines = text.splitlines()
        at = next(i for i, l in enumerate(lines) if "> Desired nodes" in l)
        self.assertIn(DESIRED_TOO_HIGH, lines[at + 1])
        screen.keys("Enter")
        screen.wait_for("fix the fields marked in red first")
        self.assertIn("step 2 of 6", screen.settled_text())
        screen.keys("BSpace")
        screen.type("x")
        screen.wait_for('managedNodeGroups[0].desiredCapacity: "x" is not a '
                        'whole number')
        screen.keys("BSpace")
        screen.type("2")
        screen.wait_gone("desiredCapacity:")
        # Esc goes back a screen, and the values stay.
        screen.keys("Escape")
        screen.wait_for("step 1 of 6: Account")
        screen.keys("Enter")
        screen.wait_for("step 2 of 6", "Desired nodes             2")
        screen.keys("BTab")
        screen.wait_for("step 1 of 6: Account")
        # Esc on the first screen leaves the wizard; :wizard returns.
        screen.keys("Escape")
        screen.wait_gone("Setup wizard")
        screen.keys(":")
        screen.type("wizard")
        screen.keys("Enter")
        screen.wait_for("step 1 of 6: Account")

    def test_region_choices_from_ec2(self):
        session = self.box.env["AWS_REGION"]
        others = [r for r in self.regions if r != session]
        if not others:
            raise unittest.SkipTest("the world has one region")
        screen = self.open(height=40)
        self.open_wizard(screen)
        screen.keys("Down")
        screen.wait_for("> Region")
        screen.keys("Right")
        screen.wait_for("< %s >" % others[0])
        screen.keys("Left")
        screen.wait_for("< %s >" % session)

    def test_bad_cluster_name_message(self):
        screen = self.open(height=40)
        self.open_wizard(screen)
        screen.keys("Enter")
        screen.wait_for("> Cluster name")
        screen.type("_x")
        screen.wait_for('metadata.name: "my-cluster_x" must start with a '
                        "letter and contain only letters, digits and '-'")

    def test_help_lists_wizard_keys(self):
        screen = self.open(height=40)
        self.open_wizard(screen)
        # The first field is a choice, so ? reaches the global keys.
        screen.keys("?")
        text = screen.wait_for("keys of the wizard pane")
        self.assertRegex(text, r"Tab\s+Next screen, without saving")
        self.assertRegex(text, r"Esc Shift-Tab\s+Previous screen")
        self.assertRegex(text, r"Right Space\s+Next choice")
        self.assertRegex(text, r"Left\s+Previous choice")
        self.assertRegex(text, r"w\s+:wizard\s+Setup wizard")
        self.assertRegex(text, r"p\s+:progress\s+Progress of the last")
        screen.keys("Escape")
        screen.wait_for("step 1 of 6: Account")

    def test_wizard_at_small_size(self):
        screen = self.open(width=60, height=12)
        self.open_wizard(screen)
        screen.keys("Enter")
        screen.wait_for("step 2 of 6")
        for _ in range(8):
            screen.keys("Down")
        # The selected field scrolls into view on a short screen.
        text = screen.wait_for("> OIDC provider")
        self.assertTrue(all(len(l) <= 60 for l in text.splitlines()))

    def test_terminal_too_small(self):
        screen = self.open(width=40, height=8)
        screen.tmux("resize-window", "-x", "20", "-y", "5")
        text = screen.wait_for("terminal too small", "20x5, need 40x8")
        self.assertTrue(all(len(l) <= 20 for l in text.splitlines()))
        screen.tmux("resize-window", "-x", "80", "-y", "20")
        screen.wait_for("Clusters (")


CFN_WORLD = os.path.join(TEST_WORLDS, "cfn.yaml")
APPLY_NAME = "shop"
APPLY_STACKS = [
    "eksctl-%s-cluster" % APPLY_NAME,
    "eksctl-%s-addon-iamserviceaccount-kube-system-"
    "aws-load-balancer-controller" % APPLY_NAME,
    "eksctl-%s-nodegroup-ng-1" % APPLY_NAME]
READY = 'EKS cluster "%s" in "us-east-2" region is ready' % APPLY_NAME
DELETED = 'all stacks of cluster "%s" in "us-east-2" are deleted' % APPLY_NAME
APPLY_WAIT = 90  # seconds for a whole apply or delete on the sandbox


class WizardApplyTest(unittest.TestCase):
    """The wizard's apply step against tests/worlds/cfn.yaml, whose VPC
    quota fits one more VPC. Each test runs its own sandbox."""
    clock = "instant"
    world = CFN_WORLD

    def setUp(self):
        if not shutil.which("tmux"):
            raise unittest.SkipTest("tmux is not installed")
        self.box = Sandbox(self.world, args=["--clock-speed", self.clock])
        self.box.start()
        self.addCleanup(self.box.stop)
        self.dir = tempfile.mkdtemp(prefix="albatross-wizard-apply-")
        self.addCleanup(shutil.rmtree, self.dir, ignore_errors=True)
        self.state = os.path.join(self.dir, "state")
        self.config = os.path.join(self.dir, "shop.yaml")

    def open(self):
        screen = Screen(self.box, (), width=WIDTH, height=TALL, NO_COLOR="1",
                        LANG="C.UTF-8", XDG_STATE_HOME=self.state,
                        ALBATROSS_APPLY_POLL_MS="50")
        self.addCleanup(screen.close)
        screen.wait_for("Clusters (")
        return screen

    def aws(self, *args):
        return json.loads(self.box.aws(*args).stdout or "{}")

    def stack_names(self):
        """Every stack ever made, deleted ones too: a duplicate create
        shows as a second summary of one name."""
        return sorted(s["StackName"] for s in
                      self.aws("cloudformation", "list-stacks")["StackSummaries"])

    def record(self):
        with open(os.path.join(self.state, "albatross", "ui-run")) as f:
            return dict(l.split("=", 1) for l in f.read().splitlines()
                        if "=" in l)

    def walk_to_apply(self, screen):
        """From the clusters pane to the apply screen, with the cluster
        named APPLY_NAME and the file saved as self.config."""
        screen.keys("w")
        screen.wait_for("step 1 of 6: Account")
        screen.keys("Enter")
        screen.wait_for("step 2 of 6: Cluster")
        screen.keys("C-u")
        screen.type(APPLY_NAME)
        screen.wait_for("Cluster name              %s\n" % APPLY_NAME)
        for step in ("step 3 of 6", "step 4 of 6", "step 5 of 6"):
            screen.keys("Enter")
            screen.wait_for(step)
        screen.keys("C-u")
        screen.type(self.config)
        screen.keys("Enter")
        screen.wait_for("step 6 of 6: Apply", "saved %s" % self.config)

    def assert_applied(self):
        cluster = self.aws("eks", "describe-cluster", "--name",
                           APPLY_NAME)["cluster"]
        self.assertEqual(cluster["status"], "ACTIVE")
        for name in APPLY_STACKS:
            stack = self.aws("cloudformation", "describe-stacks",
                             "--stack-name", name)["Stacks"][0]
            self.assertEqual(stack["StackStatus"], "CREATE_COMPLETE", name)
        self.assertEqual(self.stack_names(), sorted(APPLY_STACKS))

    def test_wizard_applies_until_active(self):
        screen = self.open()
        self.walk_to_apply(screen)
        screen.keys("Enter")
        text = screen.wait_for("Progress: apply cluster %s in us-east-2"
                               % APPLY_NAME, READY, timeout=APPLY_WAIT)
        for name in APPLY_STACKS:
            self.assertRegex(text, r"done\s+\S+\s+%s" % re.escape(name))
        self.assertIn("Latest: ", text)
        # The event log, below the steps, carries eksctl's lines and the
        # stacks' events; G scrolls to its end.
        self.assertIn("AWS::EC2::VPC/VPC: CREATE_IN_PROGRESS", text)
        screen.keys("G")
        screen.wait_for('created stack "%s"' % APPLY_STACKS[2],
                        "AWS::EKS::Nodegroup/ManagedNodeGroup: CREATE_COMPLETE")
        self.assert_applied()
        self.assertEqual(self.record()["state"], "done")
        self.assertEqual(self.record()["file"], self.config)
        # Esc goes back to the wizard, p shows the progress again.
        screen.keys("Escape")
        screen.wait_for("step 6 of 6: Apply")
        screen.keys("p")
        screen.wait_for("Progress: apply cluster %s" % APPLY_NAME, READY)
        # Nothing runs, so q quits without asking.
        screen.keys("q")
        self.assertEqual(screen.wait_exit(), 0)

    def test_delete_from_ui(self):
        screen = self.open()
        self.walk_to_apply(screen)
        screen.keys("Enter")
        screen.wait_for(READY, timeout=APPLY_WAIT)
        screen.keys("Escape")
        screen.wait_for("step 6 of 6: Apply")

        screen.keys(":")
        screen.type("delete %s" % self.config)
        screen.keys("Enter")
        screen.wait_for("delete cluster %s in us-east-2 and every stack %s "
                        "made for it? (y/n)" % (APPLY_NAME, self.config))
        # Any key but y leaves everything in place.
        screen.keys("n")
        screen.wait_for("not done")
        self.assert_applied()

        screen.keys(":")
        screen.type("delete %s" % self.config)
        screen.keys("Enter")
        screen.wait_for("(y/n)")
        screen.keys("y")
        text = screen.wait_for("Progress: delete cluster %s" % APPLY_NAME,
                               DELETED, timeout=APPLY_WAIT)
        for name in APPLY_STACKS:
            self.assertRegex(text, r"done\s+\S+\s+%s" % re.escape(name))
            res = self.box.aws("cloudformation", "describe-stacks",
                               "--stack-name", name, check=False)
            self.assertNotEqual(res.returncode, 0, res.stdout)
            self.assertIn("does not exist", res.stderr)
        res = self.box.aws("eks", "describe-cluster", "--name", APPLY_NAME,
                           check=False)
        self.assertIn("ResourceNotFoundException", res.stderr)
        self.assertEqual(self.record()["action"], "delete")
        self.assertEqual(self.record()["state"], "done")


class WizardResumeTest(WizardApplyTest):
    """The cluster takes 10 seconds here (the world's 3 made longer), so
    the UI can be stopped while the cluster's stack is in progress."""
    clock = "1"
    IN_PROGRESS = "AWS::EKS::Cluster/ControlPlane: CREATE_IN_PROGRESS"

    def setUp(self):
        with open(CFN_WORLD) as f:
            text = f.read()
        self.assertIn("clusterCreation: 3\n", text)
        world = tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False)
        world.write(text.replace("clusterCreation: 3\n",
                                 "clusterCreation: 10\n"))
        world.close()
        self.addCleanup(os.unlink, world.name)
        self.world = world.name
        super().setUp()

    def albatross_pid(self, screen):
        """albatross's pid: the child of the shell in the tmux pane."""
        shell = screen.tmux("list-panes", "-F", "#{pane_pid}").stdout.split()[0]
        out = subprocess.run(["ps", "-o", "pid=", "--ppid", shell],
                             capture_output=True, text=True).stdout.split()
        self.assertEqual(len(out), 1, out)
        return int(out[0])

    def resume(self, state):
        """Reopens the UI and the wizard, accepts the offer to resume and
        waits for the apply to finish."""
        screen = self.open()
        screen.keys("w")
        screen.wait_for("the apply of cluster %s in us-east-2 (%s) did not "
                        "finish (%s): resume it? (y/n)"
                        % (APPLY_NAME, self.config, state))
        screen.keys("y")
        text = screen.wait_for(READY, timeout=APPLY_WAIT)
        self.assertIn('waiting for CloudFormation stack "%s"'
                      % APPLY_STACKS[0], text)
        self.assertNotIn('deploying stack "%s"' % APPLY_STACKS[0], text)
        self.assert_applied()
        self.assertEqual(len(self.aws("ec2", "describe-vpcs")["Vpcs"]), 2)
        self.assertEqual(self.record()["state"], "done")

    def test_killed_mid_apply_resumes(self):
        screen = self.open()
        self.walk_to_apply(screen)
        screen.keys("Enter")
        screen.wait_for(self.IN_PROGRESS, timeout=APPLY_WAIT)
        os.kill(self.albatross_pid(screen), signal.SIGKILL)
        screen.wait_exit()
        screen.close()
        stack = self.aws("cloudformation", "describe-stacks", "--stack-name",
                         APPLY_STACKS[0])["Stacks"][0]
        self.assertEqual(stack["StackStatus"], "CREATE_IN_PROGRESS")
        self.assertEqual(self.record()["state"], "running")
        self.resume("running")

    def test_quit_asks_stops_and_resumes(self):
        screen = self.open()
        self.walk_to_apply(screen)
        screen.keys("Enter")
        screen.wait_for(self.IN_PROGRESS, timeout=APPLY_WAIT)
        screen.keys("q")
        screen.wait_for("the apply of cluster %s is running: stop it and "
                        "quit? The wizard (:wizard) can resume it (y/n)"
                        % APPLY_NAME)
        screen.keys("n")
        screen.wait_for("not done")
        screen.keys("q")
        screen.wait_for("(y/n)")
        screen.keys("y")
        self.assertEqual(screen.wait_exit(), 0)
        # The note is printed once the terminal is given back.
        after = screen.tmux("capture-pane", "-p", "-J", "-S", "-500").stdout
        self.assertIn("stopped the apply of cluster %s in us-east-2; open "
                      "the wizard" % APPLY_NAME, after)
        self.assertEqual(self.record()["state"], "stopped")
        screen.close()
        self.resume("stopped")

    # The parent's tests need the instant clock.
    test_wizard_applies_until_active = None
    test_delete_from_ui = None


if __name__ == "__main__":
    unittest.main()
