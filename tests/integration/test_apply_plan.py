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

# Every supported field: given zones, HA NAT, an unmanaged and a managed
# group, managed and well-known policies and a fixed role name.
EVERY_FEATURE_CONFIG = """\
apiVersion: eksctl.io/v1alpha5
kind: ClusterConfig
metadata:
  name: full
  region: eu-west-1
  version: "1.30"
availabilityZones: [eu-west-1a, eu-west-1b, eu-west-1c]
vpc:
  cidr: 10.20.0.0/16
  nat: {gateway: HighlyAvailable}
iam:
  withOIDC: true
  serviceAccounts:
  - metadata: {name: s3-reader, namespace: apps}
    attachPolicyARNs: ["arn:aws:iam::123456789012:policy/Extra"]
    roleName: s3-reader-role
  - metadata: {name: aws-load-balancer-controller, namespace: kube-system}
    wellKnownPolicies: {awsLoadBalancerController: true}
nodeGroups:
- name: self
  instanceType: c5.xlarge
managedNodeGroups:
- name: managed
  instanceType: m6g.large
  privateNetworking: true
  labels: {role: worker}
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


def check_references(test, steps):
    """Every resource type is supported, and every Ref, Fn::GetAtt,
    DependsOn and Fn::ImportValue names something that exists."""
    stacks = {s["name"]: s for s in steps}
    for s in steps:
        if s["action"] != "createStack":
            continue
        template = s["template"]
        resources = template["Resources"]
        test.assertEqual([{"logicalId": k, "type": v["Type"]} for k, v in resources.items()],
                         s["resources"], s["name"])
        for logical_id, resource in resources.items():
            test.assertIn(resource["Type"], SUPPORTED_TYPES, logical_id)
            for target in resource.get("DependsOn", []):
                test.assertIn(target, resources, logical_id)
        for name, argument in functions(template):
            test.assertIn(name, SUPPORTED_FUNCTIONS, s["name"])
            if name == "Ref":
                test.assertTrue(argument in resources or argument in PSEUDO_PARAMETERS,
                                "%s: Ref %s" % (s["name"], argument))
            if name == "Fn::GetAtt":
                test.assertIn(argument[0], resources, s["name"])
            if name == "Fn::ImportValue":
                stack, _, output = argument.partition("::")
                exporter = stacks[stack]["template"]["Outputs"]
                test.assertIn("Export", exporter[output], argument)


def lint(test, steps, region, *ignored):
    """Runs cfn-lint on every template; it must find nothing."""
    try:
        import cfnlint  # noqa: F401
    except ImportError:
        test.skipTest("cfn-lint is not installed")
    paths = []
    for s in steps:
        if s["action"] == "createStack":
            path = os.path.join(WORK.name, s["name"] + ".json")
            with open(path, "w") as f:
                json.dump(s["template"], f)
            paths.append(path)
    run_lint = "import sys; from cfnlint.runner import main; sys.exit(main())"
    args = ["--regions", region]
    if ignored:
        args += ["--ignore-checks"] + list(ignored)
    res = subprocess.run([sys.executable, "-c", run_lint] + args + ["--"] + paths,
                         capture_output=True, text=True, timeout=300)
    test.assertEqual(res.returncode, 0, res.stdout + res.stderr)


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
        check_references(self, self.steps)

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
        lint(self, self.steps, "eu-west-1")


class EveryFeaturePlan(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.steps = plan("--show-templates", config=EVERY_FEATURE_CONFIG)["steps"]

    def template(self, name):
        return [s for s in self.steps if s["name"] == name][0]["template"]

    def test_templates_reference_what_exists(self):
        check_references(self, self.steps)

    def test_cfn_lint_finds_nothing(self):
        # eksctl writes the zones it chose into the template too.
        lint(self, self.steps, "eu-west-1", "W3010")

    def test_zones_name_the_subnets(self):
        resources = self.template("eksctl-full-cluster")["Resources"]
        subnet = resources["SubnetPrivateEUWEST1B"]["Properties"]
        self.assertEqual(subnet["AvailabilityZone"], "eu-west-1b")
        self.assertEqual(subnet["CidrBlock"], "10.20.128.0/19")
        gateways = [k for k, v in resources.items() if v["Type"] == "AWS::EC2::NatGateway"]
        self.assertEqual(sorted(gateways), ["NATGatewayEUWEST1A", "NATGatewayEUWEST1B",
                                            "NATGatewayEUWEST1C"])

    def test_unmanaged_group_has_no_nodes_yet(self):
        step = [s for s in self.steps if s["name"] == "eksctl-full-nodegroup-self"][0]
        types = {r["type"] for r in step["resources"]}
        self.assertIn("AWS::IAM::InstanceProfile", types)
        self.assertNotIn("AWS::EKS::Nodegroup", types)
        self.assertTrue(any(n.startswith("TODO:") for n in step["notes"]))

    def test_role_name_and_managed_policies(self):
        role = self.template("eksctl-full-addon-iamserviceaccount-apps-s3-reader")[
            "Resources"]["Role1"]["Properties"]
        self.assertEqual(role["RoleName"], "s3-reader-role")
        self.assertEqual(role["ManagedPolicyArns"], ["arn:aws:iam::123456789012:policy/Extra"])

    def test_graviton_group_uses_arm_image(self):
        ng = self.template("eksctl-full-nodegroup-managed")["Resources"]["ManagedNodeGroup"]
        self.assertEqual(ng["Properties"]["AmiType"], "AL2023_ARM_64_STANDARD")


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

    def test_invalid_config_names_path_and_line(self):
        broken = STANDARD_CONFIG.replace("desiredCapacity: 2",
                                         "desiredCapacity: 2\n  minSize: 3")
        res = SB.albatross("apply", "-f", write_config(broken, "broken.yaml"), "--dry-run",
                           check=False)
        self.assertEqual(res.returncode, 1)
        self.assertIn("broken.yaml:25: managedNodeGroups[0].desiredCapacity: must be "
                      "between minSize and maxSize", res.stderr)
        self.assertEqual(res.stdout, "")
