"""albatross apply --dry-run on the ClusterConfig of a standard eksctl
setup: the plan's stacks, their order, names and tags, and templates
that are valid JSON, whose Ref and Fn::GetAtt targets exist and whose
resource types the sandbox's CloudFormation supports. cfn-lint judges
the templates too when it is installed."""

import json
import os
import subprocess
import sys
import tempfile
import unittest

from sandbox import Sandbox

STANDARD_CONFIG = """\
apiVersion: eksctl.io/v1alpha5
kind: ClusterConfig
metadata:
  name: shop
  region: eu-west-1
  tags:
    team: payments
iam:
  withOIDC: true
  serviceAccounts:
  - metadata:
      name: s3-reader
      namespace: orders
    attachPolicy:
      Version: "2012-10-17"
      Statement:
      - Effect: Allow
        Action: ["s3:GetObject", "s3:ListBucket"]
        Resource:
        - "arn:aws:s3:::shop-orders"
        - "arn:aws:s3:::shop-orders/*"
managedNodeGroups:
- name: workers
  instanceType: m5.large
  desiredCapacity: 2
  privateNetworking: true
"""

SUPPORTED_TYPES = {
    "AWS::EC2::VPC", "AWS::EC2::Subnet", "AWS::EC2::InternetGateway",
    "AWS::EC2::VPCGatewayAttachment", "AWS::EC2::EIP", "AWS::EC2::NatGateway",
    "AWS::EC2::RouteTable", "AWS::EC2::Route",
    "AWS::EC2::SubnetRouteTableAssociation", "AWS::EC2::SecurityGroup",
    "AWS::EC2::SecurityGroupIngress", "AWS::EC2::SecurityGroupEgress",
    "AWS::IAM::Role", "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy",
    "AWS::IAM::InstanceProfile", "AWS::EKS::Cluster", "AWS::EKS::Nodegroup",
}
SUPPORTED_FUNCTIONS = {"Ref", "Fn::GetAtt", "Fn::Sub", "Fn::Join", "Fn::Select",
                       "Fn::GetAZs", "Fn::If", "Fn::ImportValue"}
PSEUDO_PARAMETERS = {"AWS::StackName", "AWS::Region", "AWS::AccountId",
                     "AWS::Partition", "AWS::URLSuffix"}

CLUSTER_TAGS = {
    "alpha.eksctl.io/cluster-name": "shop",
    "eksctl.cluster.k8s.io/v1alpha1/cluster-name": "shop",
    "team": "payments",
}


def setUpModule():
    global SB, WORK
    SB = Sandbox().start()
    WORK = tempfile.TemporaryDirectory()


def tearDownModule():
    SB.stop()
    WORK.cleanup()


def write_config(text, name="cluster.yaml"):
    path = os.path.join(WORK.name, name)
    with open(path, "w") as f:
        f.write(text)
    return path


def plan(*args, config=STANDARD_CONFIG):
    res = SB.albatross("apply", "-f", write_config(config), "--dry-run",
                       "-o", "json", *args)
    return json.loads(res.stdout)


def walk(node):
    """Yields every dict and list in node, node included."""
    yield node
    if isinstance(node, dict):
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value)


def functions(template):
    """Yields (name, argument) for every intrinsic function call."""
    for node in walk(template):
        if isinstance(node, dict) and len(node) == 1:
            (key, value), = node.items()
            if key == "Ref" or key.startswith("Fn::"):
                yield key, value


class StandardSetupPlan(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.plan = plan("--show-templates")
        cls.steps = cls.plan["steps"]

    def step(self, name):
        matches = [s for s in self.steps if s["name"] == name]
        self.assertEqual(len(matches), 1, name)
        return matches[0]

    def test_steps_in_eksctl_order(self):
        self.assertEqual([(s["action"], s["name"]) for s in self.steps], [
            ("createStack", "eksctl-shop-cluster"),
            ("call", "iam:CreateOpenIDConnectProvider"),
            ("call", "eks:TagResource"),
            ("createStack", "eksctl-shop-addon-iamserviceaccount-orders-s3-reader"),
            ("call", "kubernetes:ServiceAccount"),
            ("createStack", "eksctl-shop-nodegroup-workers"),
        ])

    def test_dependencies_point_backwards(self):
        by_name = {s["name"]: s["index"] for s in self.steps}
        for s in self.steps:
            for d in s["dependsOn"]:
                self.assertLess(d, s["index"], s["name"])
        self.assertEqual(self.step("iam:CreateOpenIDConnectProvider")["dependsOn"],
                         [by_name["eksctl-shop-cluster"]])
        irsa = self.step("eksctl-shop-addon-iamserviceaccount-orders-s3-reader")
        self.assertEqual(irsa["dependsOn"], [by_name["iam:CreateOpenIDConnectProvider"]])
        self.assertEqual(self.step("kubernetes:ServiceAccount")["dependsOn"], [irsa["index"]])
        self.assertEqual(self.step("eksctl-shop-nodegroup-workers")["dependsOn"],
                         [by_name["eksctl-shop-cluster"]])

    def test_stack_tags(self):
        for s in self.steps:
            if s["action"] != "createStack":
                continue
            for key, value in CLUSTER_TAGS.items():
                self.assertEqual(s["tags"].get(key), value, (s["name"], key))
            self.assertIn("albatross.io/version", s["tags"])
        self.assertEqual(self.step("eksctl-shop-cluster")["tags"]
                         ["alpha.eksctl.io/cluster-oidc-enabled"], "true")
        ng = self.step("eksctl-shop-nodegroup-workers")["tags"]
        self.assertEqual(ng["alpha.eksctl.io/nodegroup-name"], "workers")
        self.assertEqual(ng["alpha.eksctl.io/nodegroup-type"], "managed")
        irsa = self.step("eksctl-shop-addon-iamserviceaccount-orders-s3-reader")["tags"]
        self.assertEqual(irsa["alpha.eksctl.io/iamserviceaccount-name"], "orders/s3-reader")

    def test_defaults_listed(self):
        cluster = self.plan["cluster"]
        self.assertEqual(cluster["vpcCidr"], "192.168.0.0/16")
        self.assertEqual(cluster["natGateway"], "Single")
        self.assertEqual(cluster["zoneCount"], 3)
        self.assertIn("vpc.cidr", cluster["defaults"])
        self.assertIn("managedNodeGroups[0].volumeSize", cluster["defaults"])
        self.assertNotIn("managedNodeGroups[0].instanceType", cluster["defaults"])
        self.assertNotIn("iam.withOIDC", cluster["defaults"])

    def test_templates_reference_what_exists(self):
        for s in self.steps:
            if s["action"] != "createStack":
                continue
            template = s["template"]
            resources = template["Resources"]
            self.assertEqual([{"logicalId": k, "type": v["Type"]} for k, v in resources.items()],
                             s["resources"], s["name"])
            for logical_id, resource in resources.items():
                self.assertIn(resource["Type"], SUPPORTED_TYPES, logical_id)
                for target in resource.get("DependsOn", []):
                    self.assertIn(target, resources, logical_id)
            for name, argument in functions(template):
                self.assertIn(name, SUPPORTED_FUNCTIONS, s["name"])
                if name == "Ref":
                    self.assertTrue(argument in resources or argument in PSEUDO_PARAMETERS,
                                    "%s: Ref %s" % (s["name"], argument))
                if name == "Fn::GetAtt":
                    self.assertIn(argument[0], resources, s["name"])
                if name == "Fn::ImportValue":
                    stack, _, output = argument.partition("::")
                    exporter = self.step(stack)["template"]["Outputs"]
                    self.assertIn("Export", exporter[output], argument)

    def test_cluster_template(self):
        t = self.step("eksctl-shop-cluster")["template"]
        subnets = {k: v["Properties"] for k, v in t["Resources"].items()
                   if v["Type"] == "AWS::EC2::Subnet"}
        self.assertEqual(len(subnets), 6)
        tags = [{tag["Key"]: tag["Value"] for tag in p["Tags"]} for p in subnets.values()]
        self.assertEqual(sum(1 for tag in tags if tag.get("kubernetes.io/role/elb") == "1"), 3)
        self.assertEqual(sum(1 for tag in tags if tag.get("kubernetes.io/role/internal-elb") == "1"), 3)
        cluster = t["Resources"]["ControlPlane"]["Properties"]
        self.assertEqual(cluster["Name"], "shop")
        self.assertEqual(len(cluster["ResourcesVpcConfig"]["SubnetIds"]), 6)
        for output in ("VPC", "SubnetsPublic", "SubnetsPrivate", "SecurityGroup",
                       "SharedNodeSecurityGroup", "ServiceRoleARN", "ARN", "Endpoint",
                       "CertificateAuthorityData", "OIDCIssuerURL"):
            self.assertIn(output, t["Outputs"])
        self.assertEqual(t["Outputs"]["VPC"]["Export"]["Name"],
                         {"Fn::Sub": "${AWS::StackName}::VPC"})

    def test_service_account_trust_policy(self):
        t = self.step("eksctl-shop-addon-iamserviceaccount-orders-s3-reader")["template"]
        role = t["Resources"]["Role1"]["Properties"]
        st = role["AssumeRolePolicyDocument"]["Statement"][0]
        self.assertEqual(st["Action"], ["sts:AssumeRoleWithWebIdentity"])
        self.assertIn(":oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/",
                      st["Principal"]["Federated"]["Fn::Sub"])
        equals = st["Condition"]["StringEquals"]
        sub = [v for k, v in equals.items() if k.endswith(":sub")]
        aud = [v for k, v in equals.items() if k.endswith(":aud")]
        self.assertEqual(sub, ["system:serviceaccount:orders:s3-reader"])
        self.assertEqual(aud, ["sts.amazonaws.com"])
        policy = t["Resources"]["Policy1"]["Properties"]
        self.assertEqual(policy["Roles"], [{"Ref": "Role1"}])
        self.assertEqual(policy["PolicyDocument"]["Statement"][0]["Action"],
                         ["s3:GetObject", "s3:ListBucket"])

    def test_nodegroup_template(self):
        t = self.step("eksctl-shop-nodegroup-workers")["template"]
        role = t["Resources"]["NodeInstanceRole"]["Properties"]
        arns = [a["Fn::Sub"].rsplit("/", 1)[1] for a in role["ManagedPolicyArns"]]
        for policy in ("AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy",
                       "AmazonEC2ContainerRegistryReadOnly"):
            self.assertIn(policy, arns)
        ng = t["Resources"]["ManagedNodeGroup"]["Properties"]
        self.assertEqual(ng["ScalingConfig"], {"MinSize": 2, "MaxSize": 2, "DesiredSize": 2})
        self.assertEqual(ng["DiskSize"], 80)
        self.assertEqual(ng["InstanceTypes"], ["m5.large"])
        self.assertTrue(all("SubnetPrivate" in s["Fn::ImportValue"] for s in ng["Subnets"]))

    def test_cfn_lint_finds_nothing(self):
        try:
            import cfnlint  # noqa: F401
        except ImportError:
            self.skipTest("cfn-lint is not installed")
        paths = []
        for s in self.steps:
            if s["action"] == "createStack":
                path = os.path.join(WORK.name, s["name"] + ".json")
                with open(path, "w") as f:
                    json.dump(s["template"], f)
                paths.append(path)
        run_lint = "import sys; from cfnlint.runner import main; sys.exit(main())"
        res = subprocess.run([sys.executable, "-c", run_lint, "--regions", "eu-west-1", "--"]
                             + paths,
                             capture_output=True, text=True, timeout=300)
        self.assertEqual(res.returncode, 0, res.stdout + res.stderr)


class DryRunCommands(unittest.TestCase):
    def test_text_plan_marks_defaults(self):
        res = SB.albatross("apply", "-f", write_config(STANDARD_CONFIG), "--dry-run")
        self.assertIn("192.168.0.0/16 (default)", res.stdout)
        self.assertIn("volume size          80 GiB (default)", res.stdout)
        self.assertIn(" 1. create stack eksctl-shop-cluster", res.stdout)

    def test_delete_order(self):
        res = SB.albatross("delete", "-f", write_config(STANDARD_CONFIG), "--dry-run",
                           "-o", "json")
        steps = [(s["action"], s["name"]) for s in json.loads(res.stdout)["steps"]]
        self.assertEqual(steps, [
            ("deleteStack", "eksctl-shop-addon-iamserviceaccount-orders-s3-reader"),
            ("deleteStack", "eksctl-shop-nodegroup-workers"),
            ("call", "iam:DeleteOpenIDConnectProvider"),
            ("deleteStack", "eksctl-shop-cluster"),
        ])

    def test_without_dry_run_changes_nothing(self):
        res = SB.albatross("apply", "-f", write_config(STANDARD_CONFIG), check=False)
        self.assertEqual(res.returncode, 2)
        self.assertIn("only --dry-run is built", res.stderr)
        self.assertEqual(res.stdout, "")

    def test_invalid_config_names_path_and_line(self):
        broken = STANDARD_CONFIG.replace("desiredCapacity: 2",
                                         "desiredCapacity: 2\n  minSize: 3")
        res = SB.albatross("apply", "-f", write_config(broken, "broken.yaml"), "--dry-run",
                           check=False)
        self.assertEqual(res.returncode, 1)
        self.assertIn("broken.yaml:25: managedNodeGroups[0].desiredCapacity: must be "
                      "between minSize and maxSize", res.stderr)
        self.assertEqual(res.stdout, "")
