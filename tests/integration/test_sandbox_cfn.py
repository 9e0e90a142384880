"""The sandbox's CloudFormation, with the aws CLI and botocore as oracles.

Stacks are created with `aws cloudformation create-stack` and waited for
with `aws cloudformation wait`. What they made is read back through
`aws ec2`, `aws eks`, `aws iam` and kubectl. The raw replies are parsed
with botocore's parsers and walked against its output shapes.
Each test runs its own sandbox on tests/worlds/cfn.yaml: one VPC exists
and the quota is two, clusters take 3 sandbox seconds to become ACTIVE.
"""

import json
import os
import re
import ssl
import subprocess
import time
import unittest
import urllib.parse

from botocheck import AwsChecks
from sandbox import Sandbox, TEST_WORLDS

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TOOL = os.path.join(ROOT, os.environ.get("ALBATROSS_BUILD", "build"), "tools", "aws_tool")
WORLD = os.path.join(TEST_WORLDS, "cfn.yaml")
WORLD_VPC = "vpc-0a1b2c3d4e5f60001"
REGION = "us-east-2"
TRUST = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "eks.amazonaws.com"},
    "Action": "sts:AssumeRole"}]}


def cluster_template(cluster="cfn-demo"):
    """What eksctl's cluster stack holds, in small: a VPC with public
    subnets, a gateway, routes, a NAT, a security group, the service role
    and the cluster, and a node group with its role."""
    ref = lambda name: {"Ref": name}
    subnet = lambda zone, cidr: {
        "Type": "AWS::EC2::Subnet",
        "Properties": {"VpcId": ref("VPC"), "CidrBlock": cidr,
                       "MapPublicIpOnLaunch": True,
                       "AvailabilityZone": {"Fn::Select": [zone, {"Fn::GetAZs": ""}]},
                       "Tags": [{"Key": "kubernetes.io/role/elb", "Value": "1"}]}}
    return {
        "Description": "EKS cluster (dedicated VPC: true)",
        "Parameters": {"ClusterName": {"Type": "String", "Default": cluster}},
        "Resources": {
            "VPC": {"Type": "AWS::EC2::VPC", "Properties": {
                "CidrBlock": "10.10.0.0/16",
                "Tags": [{"Key": "Name", "Value": {"Fn::Sub": "${AWS::StackName}/VPC"}}]}},
            "SubnetPublicA": subnet(0, "10.10.0.0/19"),
            "SubnetPublicB": subnet(1, "10.10.32.0/19"),
            "InternetGateway": {"Type": "AWS::EC2::InternetGateway"},
            "VPCGatewayAttachment": {"Type": "AWS::EC2::VPCGatewayAttachment", "Properties": {
                "VpcId": ref("VPC"), "InternetGatewayId": ref("InternetGateway")}},
            "PublicRouteTable": {"Type": "AWS::EC2::RouteTable", "Properties": {"VpcId": ref("VPC")}},
            "PublicSubnetRoute": {"Type": "AWS::EC2::Route", "DependsOn": "VPCGatewayAttachment",
                                  "Properties": {"RouteTableId": ref("PublicRouteTable"),
                                                 "DestinationCidrBlock": "0.0.0.0/0",
                                                 "GatewayId": ref("InternetGateway")}},
            "RouteTableAssociationPublicA": {
                "Type": "AWS::EC2::SubnetRouteTableAssociation",
                "Properties": {"SubnetId": ref("SubnetPublicA"), "RouteTableId": ref("PublicRouteTable")}},
            "NATIP": {"Type": "AWS::EC2::EIP", "Properties": {"Domain": "vpc"}},
            "NATGateway": {"Type": "AWS::EC2::NatGateway", "Properties": {
                "AllocationId": {"Fn::GetAtt": ["NATIP", "AllocationId"]},
                "SubnetId": ref("SubnetPublicA")}},
            "ControlPlaneSecurityGroup": {"Type": "AWS::EC2::SecurityGroup", "Properties": {
                "GroupDescription": "Communication between the control plane and worker nodegroups",
                "VpcId": ref("VPC")}},
            "IngressDefaultClusterToNodeSG": {"Type": "AWS::EC2::SecurityGroupIngress", "Properties": {
                "GroupId": ref("ControlPlaneSecurityGroup"), "IpProtocol": "-1",
                "SourceSecurityGroupId": ref("ControlPlaneSecurityGroup")}},
            "ServiceRole": {"Type": "AWS::IAM::Role", "Properties": {
                "AssumeRolePolicyDocument": TRUST,
                "ManagedPolicyArns": [{"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/AmazonEKSClusterPolicy"}],
                "Policies": [{"PolicyName": {"Fn::Sub": "${AWS::StackName}-PolicyCloudWatchMetrics"},
                              "PolicyDocument": {"Version": "2012-10-17", "Statement": [{
                                  "Effect": "Allow", "Action": ["cloudwatch:PutMetricData"],
                                  "Resource": "*"}]}}]}},
            "ControlPlane": {"Type": "AWS::EKS::Cluster", "Properties": {
                "Name": ref("ClusterName"), "Version": "1.30",
                "RoleArn": {"Fn::GetAtt": ["ServiceRole", "Arn"]},
                "ResourcesVpcConfig": {
                    "SecurityGroupIds": [ref("ControlPlaneSecurityGroup")],
                    "SubnetIds": [ref("SubnetPublicA"), ref("SubnetPublicB")]}}},
            "NodeInstanceRole": {"Type": "AWS::IAM::Role", "Properties": {
                "AssumeRolePolicyDocument": TRUST,
                "ManagedPolicyArns": ["arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy"]}},
            "ManagedNodeGroup": {"Type": "AWS::EKS::Nodegroup", "Properties": {
                "ClusterName": ref("ControlPlane"), "NodegroupName": "ng-1",
                "NodeRole": {"Fn::GetAtt": ["NodeInstanceRole", "Arn"]},
                "InstanceTypes": ["m5.large"],
                "ScalingConfig": {"MinSize": 1, "MaxSize": 3, "DesiredSize": 2},
                "Subnets": [ref("SubnetPublicA"), ref("SubnetPublicB")]}},
        },
        "Outputs": {
            "VPC": {"Value": ref("VPC"), "Export": {"Name": {"Fn::Sub": "${AWS::StackName}::VPC"}}},
            "SubnetsPublic": {"Value": {"Fn::Join": [",", [ref("SubnetPublicA"), ref("SubnetPublicB")]]}},
            "ARN": {"Value": {"Fn::GetAtt": ["ControlPlane", "Arn"]}},
            "Endpoint": {"Value": {"Fn::GetAtt": ["ControlPlane", "Endpoint"]}},
            "ClusterSecurityGroupId": {"Value": {"Fn::GetAtt": ["ControlPlane", "ClusterSecurityGroupId"]}},
        },
    }


def vpc_template(*names, cidr="10.20.0.0/16"):
    """One VPC per name, each after the one before."""
    resources = {}
    for i, name in enumerate(names):
        resources[name] = {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": cidr}}
        if i:
            resources[name]["DependsOn"] = names[i - 1]
    return resources


class CfnBase(AwsChecks, unittest.TestCase):
    """A sandbox per test, and the calls the tests share."""

    def setUp(self):
        self.sb = Sandbox(world=WORLD).start()
        self.addCleanup(self.sb.stop)
        env = self.sb.env
        self.endpoint = env["AWS_ENDPOINT_URL"]
        self.host = urllib.parse.urlsplit(self.endpoint).netloc
        self.tls = ssl.create_default_context(cafile=env["AWS_CA_BUNDLE"])
        self.key = env["AWS_ACCESS_KEY_ID"]
        self.secret = env["AWS_SECRET_ACCESS_KEY"]
        self.ids = {}   # stack name -> id of the latest stack of that name

    # --- helpers -------------------------------------------------------

    def aws(self, *args):
        return self.cli(*args, region=REGION)

    def fails(self, *args):
        res = self.sb.aws(*args, check=False)
        self.assertNotEqual(res.returncode, 0, res.stdout)
        return res.stderr

    def create(self, name, template, *extra):
        if "Resources" not in template:
            template = {"Resources": template}
        self.ids[name] = self.aws("cloudformation", "create-stack", "--stack-name", name,
                                  "--template-body", json.dumps(template), *extra)["StackId"]
        return self.ids[name]

    def stack(self, name):
        return self.aws("cloudformation", "describe-stacks", "--stack-name", name)["Stacks"][0]

    def settle(self, name, timeout=20):
        """Polls until the stack leaves *_IN_PROGRESS; returns it. Asks by
        id, which finds deleted stacks too."""
        deadline = time.monotonic() + timeout
        while True:
            s = self.stack(self.ids.get(name, name))
            if not s["StackStatus"].endswith("_IN_PROGRESS") or time.monotonic() > deadline:
                return s
            time.sleep(0.2)

    def events(self, name):
        return self.aws("cloudformation", "describe-stack-events", "--stack-name", name)["StackEvents"]

    def resources(self, name):
        out = self.aws("cloudformation", "describe-stack-resources", "--stack-name", name)
        return {r["LogicalResourceId"]: r for r in out["StackResources"]}

    def vpc_ids(self):
        return sorted(v["VpcId"] for v in self.aws("ec2", "describe-vpcs")["Vpcs"])

    def query(self, action, params=None):
        return super().query("cloudformation", action, params, region=REGION)



class CfnTest(CfnBase):
    """The sandbox's CloudFormation through the aws CLI and botocore."""

    # --- a cluster stack, end to end -----------------------------------

    def test_cluster_stack_creates_everything_and_deletes_it(self):
        self.create("eksctl-cfn-demo-cluster", cluster_template(), "--capabilities", "CAPABILITY_IAM",
                    "--tags", "Key=alpha.eksctl.io/cluster-name,Value=cfn-demo")
        # Straight calls rather than the CLI, which takes a second to start.
        cluster = self.check_json_reply("DescribeCluster", self.signed(
            "eks", REGION, "GET", "/clusters/cfn-demo"))["cluster"]
        self.assertEqual(cluster["status"], "CREATING")
        stack = self.check_query_reply("cloudformation", "DescribeStacks", self.query(
            "DescribeStacks", {"StackName": "eksctl-cfn-demo-cluster"}))["Stacks"][0]
        self.assertEqual(stack["StackStatus"], "CREATE_IN_PROGRESS")
        self.sb.aws("cloudformation", "wait", "stack-create-complete", "--stack-name",
                    "eksctl-cfn-demo-cluster", timeout=120)
        stack = self.stack("eksctl-cfn-demo-cluster")
        self.assertEqual(stack["StackStatus"], "CREATE_COMPLETE")
        self.assertEqual(stack["Tags"], [{"Key": "alpha.eksctl.io/cluster-name", "Value": "cfn-demo"}])
        res = self.resources("eksctl-cfn-demo-cluster")
        self.assertEqual(len(res), len(cluster_template()["Resources"]))
        self.assertEqual({r["ResourceStatus"] for r in res.values()}, {"CREATE_COMPLETE"})
        outputs = {o["OutputKey"]: o["OutputValue"] for o in stack["Outputs"]}
        vpc = res["VPC"]["PhysicalResourceId"]
        self.assertEqual(outputs["VPC"], vpc)

        vpcs = self.aws("ec2", "describe-vpcs", "--vpc-ids", vpc)["Vpcs"]
        self.assertEqual(vpcs[0]["CidrBlock"], "10.10.0.0/16")
        tags = {t["Key"]: t["Value"] for t in vpcs[0]["Tags"]}
        self.assertEqual(tags["Name"], "eksctl-cfn-demo-cluster/VPC")
        self.assertEqual(tags["aws:cloudformation:logical-id"], "VPC")
        self.assertEqual(tags["alpha.eksctl.io/cluster-name"], "cfn-demo")
        subnets = self.aws("ec2", "describe-subnets", "--filters", "Name=vpc-id,Values=" + vpc)["Subnets"]
        self.assertEqual(sorted(s["SubnetId"] for s in subnets),
                         sorted(outputs["SubnetsPublic"].split(",")))
        self.assertEqual(sorted(s["AvailabilityZone"] for s in subnets), ["us-east-2a", "us-east-2b"])
        groups = self.aws("ec2", "describe-security-groups", "--filters", "Name=vpc-id,Values=" + vpc)
        self.assertIn(res["ControlPlaneSecurityGroup"]["PhysicalResourceId"],
                      [g["GroupId"] for g in groups["SecurityGroups"]])
        self.assertTrue(res["InternetGateway"]["PhysicalResourceId"].startswith("igw-"))
        self.assertTrue(res["PublicRouteTable"]["PhysicalResourceId"].startswith("rtb-"))
        self.assertTrue(res["NATGateway"]["PhysicalResourceId"].startswith("nat-"))
        self.assertTrue(res["RouteTableAssociationPublicA"]["PhysicalResourceId"].startswith("rtbassoc-"))

        role = self.aws("iam", "get-role", "--role-name", res["ServiceRole"]["PhysicalResourceId"])["Role"]
        self.assertEqual(role["AssumeRolePolicyDocument"], TRUST)
        attached = self.aws("iam", "list-attached-role-policies", "--role-name", role["RoleName"])
        self.assertEqual([p["PolicyArn"] for p in attached["AttachedPolicies"]],
                         ["arn:aws:iam::aws:policy/AmazonEKSClusterPolicy"])
        inline = self.aws("iam", "list-role-policies", "--role-name", role["RoleName"])
        self.assertEqual(inline["PolicyNames"], ["eksctl-cfn-demo-cluster-PolicyCloudWatchMetrics"])

        cluster = self.aws("eks", "describe-cluster", "--name", "cfn-demo")["cluster"]
        self.assertEqual(cluster["status"], "ACTIVE")
        self.assertEqual(cluster["version"], "1.30")
        self.assertEqual(cluster["tags"], {"alpha.eksctl.io/cluster-name": "cfn-demo"})
        self.assertEqual(cluster["roleArn"], role["Arn"])
        config = cluster["resourcesVpcConfig"]
        self.assertEqual(config["vpcId"], vpc)
        self.assertEqual(config["subnetIds"], outputs["SubnetsPublic"].split(","))
        self.assertEqual(config["securityGroupIds"], [res["ControlPlaneSecurityGroup"]["PhysicalResourceId"]])
        self.assertEqual(config["clusterSecurityGroupId"], outputs["ClusterSecurityGroupId"])
        self.assertEqual(cluster["endpoint"], outputs["Endpoint"])
        self.assertTrue(cluster["endpoint"].endswith("/k8s/us-east-2/cfn-demo"), cluster["endpoint"])
        # The sandbox serves the issuers of the clusters it creates, as
        # EKS serves https://oidc.eks.REGION.amazonaws.com/id/ID.
        issuer = cluster["identity"]["oidc"]["issuer"]
        self.assertRegex(issuer, "^" + re.escape(self.sb.env["AWS_ENDPOINT_URL"]) +
                         "/id/[0-9A-F]{32}$")
        group = self.aws("eks", "describe-nodegroup", "--cluster-name", "cfn-demo",
                         "--nodegroup-name", "ng-1")["nodegroup"]
        self.assertEqual((group["status"], group["scalingConfig"]["desiredSize"]), ("ACTIVE", 2))
        self.assert_kubernetes_api(cluster)

        self.sb.aws("cloudformation", "delete-stack", "--stack-name", "eksctl-cfn-demo-cluster")
        self.sb.aws("cloudformation", "wait", "stack-delete-complete", "--stack-name",
                    "eksctl-cfn-demo-cluster", timeout=120)
        self.assertEqual(self.vpc_ids(), [WORLD_VPC])
        self.assertEqual(self.aws("ec2", "describe-subnets")["Subnets"], [])
        self.assertIn("ResourceNotFoundException", self.fails("eks", "describe-cluster", "--name", "cfn-demo"))
        self.assertIn("NoSuchEntity", self.fails("iam", "get-role", "--role-name", role["RoleName"]))
        err = self.fails("cloudformation", "describe-stacks", "--stack-name", "eksctl-cfn-demo-cluster")
        self.assertIn("Stack with id eksctl-cfn-demo-cluster does not exist", err)
        gone = self.aws("cloudformation", "describe-stacks", "--stack-name", stack["StackId"])["Stacks"][0]
        self.assertEqual(gone["StackStatus"], "DELETE_COMPLETE")

    def assert_kubernetes_api(self, cluster):
        """kubectl reaches the new cluster's own Kubernetes API."""
        kubeconfig = os.path.join(self.sb.dir.name, "cfn-kubeconfig")
        self.sb.aws("eks", "update-kubeconfig", "--name", cluster["name"], "--kubeconfig", kubeconfig)
        out = self.sb.kubectl("--kubeconfig", kubeconfig, "get", "namespaces", "-o", "name")
        self.assertIn("namespace/kube-system", out.stdout.split())

    def test_events_follow_dependency_order(self):
        self.create("order", cluster_template("ordered"), "--capabilities", "CAPABILITY_IAM")
        self.assertEqual(self.settle("order")["StackStatus"], "CREATE_COMPLETE")
        events = self.events("order")
        self.assertEqual(events[0]["ResourceStatus"], "CREATE_COMPLETE")
        self.assertEqual(events[0]["LogicalResourceId"], "order")
        self.assertEqual(events[-1]["ResourceStatus"], "CREATE_IN_PROGRESS")
        self.assertEqual(events[-1]["ResourceStatusReason"], "User Initiated")
        stamps = [e["Timestamp"] for e in events]
        self.assertEqual(stamps, sorted(stamps, reverse=True))
        oldest_first = list(reversed(events))
        at = lambda logical, status: next(i for i, e in enumerate(oldest_first)
                                          if e["LogicalResourceId"] == logical
                                          and e["ResourceStatus"] == status)
        for logical in cluster_template()["Resources"]:
            self.assertLess(at(logical, "CREATE_IN_PROGRESS"), at(logical, "CREATE_COMPLETE"))
        self.assertLess(at("VPC", "CREATE_COMPLETE"), at("SubnetPublicA", "CREATE_IN_PROGRESS"))
        self.assertLess(at("VPCGatewayAttachment", "CREATE_COMPLETE"),
                        at("PublicSubnetRoute", "CREATE_IN_PROGRESS"))
        self.assertLess(at("ControlPlane", "CREATE_COMPLETE"), at("ManagedNodeGroup", "CREATE_IN_PROGRESS"))

    # --- failures -------------------------------------------------------

    def test_vpc_limit_rolls_back_and_leaves_nothing(self):
        template = vpc_template("First", "Second")
        template["Subnet"] = {"Type": "AWS::EC2::Subnet", "Properties": {
            "VpcId": {"Ref": "First"}, "CidrBlock": "10.20.0.0/24"}}
        template["Second"]["DependsOn"] = ["First", "Subnet"]
        self.create("limited", template)
        stack = self.settle("limited")
        self.assertEqual(stack["StackStatus"], "ROLLBACK_COMPLETE")
        events = self.events("limited")
        failed = [e for e in events if e["ResourceStatus"] == "CREATE_FAILED"]
        self.assertEqual([e["LogicalResourceId"] for e in failed], ["Second"])
        self.assertIn("The maximum number of VPCs has been reached.", failed[0]["ResourceStatusReason"])
        self.assertIn("Error Code: VpcLimitExceeded", failed[0]["ResourceStatusReason"])
        rollback = next(e for e in events if e["ResourceStatus"] == "ROLLBACK_IN_PROGRESS")
        self.assertEqual(rollback["ResourceStatusReason"],
                         "The following resource(s) failed to create: [Second]. Rollback requested by user.")
        deleted = [e["LogicalResourceId"] for e in reversed(events) if e["ResourceStatus"] == "DELETE_COMPLETE"]
        self.assertEqual(deleted, ["Second", "Subnet", "First"])
        self.assertEqual({r["ResourceStatus"] for r in self.resources("limited").values()}, {"DELETE_COMPLETE"})
        self.assertEqual(self.vpc_ids(), [WORLD_VPC])
        self.assertEqual(self.aws("ec2", "describe-subnets")["Subnets"], [])
        err = self.fails("cloudformation", "create-stack", "--stack-name", "limited",
                         "--template-body", json.dumps({"Resources": vpc_template("Again")}))
        self.assertIn("AlreadyExistsException", err)

    def test_delete_fails_while_a_subnet_outside_uses_the_vpc(self):
        self.create("network", {"Resources": vpc_template("VPC"), "Outputs": {
            "VPC": {"Value": {"Ref": "VPC"}, "Export": {"Name": "network-vpc"}}}})
        self.assertEqual(self.settle("network")["StackStatus"], "CREATE_COMPLETE")
        self.create("tenant", {"Subnet": {"Type": "AWS::EC2::Subnet", "Properties": {
            "VpcId": {"Fn::ImportValue": "network-vpc"}, "CidrBlock": "10.20.1.0/24"}}})
        self.assertEqual(self.settle("tenant")["StackStatus"], "CREATE_COMPLETE")
        vpc = self.resources("network")["VPC"]["PhysicalResourceId"]

        self.sb.aws("cloudformation", "delete-stack", "--stack-name", "network")
        stack = self.settle("network")
        self.assertEqual(stack["StackStatus"], "DELETE_FAILED")
        self.assertEqual(stack["StackStatusReason"], "The following resource(s) failed to delete: [VPC]. ")
        resource = self.resources("network")["VPC"]
        self.assertEqual(resource["ResourceStatus"], "DELETE_FAILED")
        self.assertIn("The vpc '%s' has dependencies and cannot be deleted." % vpc,
                      resource["ResourceStatusReason"])
        self.assertIn("DependencyViolation", resource["ResourceStatusReason"])
        self.assertIn(vpc, self.vpc_ids())

        self.sb.aws("cloudformation", "delete-stack", "--stack-name", "tenant")
        self.assertEqual(self.settle("tenant")["StackStatus"], "DELETE_COMPLETE")
        self.sb.aws("cloudformation", "delete-stack", "--stack-name", "network")
        self.sb.aws("cloudformation", "wait", "stack-delete-complete", "--stack-name", "network")
        self.assertEqual(self.vpc_ids(), [WORLD_VPC])

    def test_duplicate_export_and_cluster_name_fail_the_second_stack(self):
        exporting = {"Resources": {"Gateway": {"Type": "AWS::EC2::InternetGateway"}},
                     "Outputs": {"Id": {"Value": {"Ref": "Gateway"}, "Export": {"Name": "shared"}}}}
        self.create("first", exporting)
        self.assertEqual(self.settle("first")["StackStatus"], "CREATE_COMPLETE")
        self.create("second", exporting)
        stack = self.settle("second")
        self.assertEqual(stack["StackStatus"], "ROLLBACK_COMPLETE")
        reasons = [e.get("ResourceStatusReason") for e in self.events("second")]
        self.assertIn("Export with name shared is already exported by stack first", reasons)

        self.create("one", cluster_template("twin"), "--capabilities", "CAPABILITY_IAM")
        self.assertEqual(self.settle("one")["StackStatus"], "CREATE_COMPLETE")
        subnets = {o["OutputKey"]: o["OutputValue"] for o in self.stack("one")["Outputs"]}["SubnetsPublic"]
        full = cluster_template("twin")["Resources"]
        template = {"Parameters": {"Subnets": {"Type": "List<AWS::EC2::Subnet::Id>"}},
                    "Resources": {"ServiceRole": full["ServiceRole"], "ControlPlane": full["ControlPlane"]}}
        template["Resources"]["ControlPlane"]["Properties"]["ResourcesVpcConfig"] = {
            "SubnetIds": {"Ref": "Subnets"}}
        template["Resources"]["ControlPlane"]["Properties"]["Name"] = "twin"
        self.create("two", template, "--capabilities", "CAPABILITY_IAM",
                    "--parameters", "ParameterKey=Subnets,ParameterValue=" + subnets.replace(",", "\\,"))
        self.assertEqual(self.settle("two")["StackStatus"], "ROLLBACK_COMPLETE")
        failed = [e for e in self.events("two") if e["ResourceStatus"] == "CREATE_FAILED"]
        self.assertEqual(failed[0]["LogicalResourceId"], "ControlPlane")
        self.assertIn("Cluster already exists with name: twin", failed[0]["ResourceStatusReason"])
        self.assertIn("ResourceInUseException", failed[0]["ResourceStatusReason"])

    def test_create_stack_rejects_bad_templates_as_cloudformation_does(self):
        def error(template, code, *extra):
            params = {"StackName": "bad", "TemplateBody": template}
            for i, (k, v) in enumerate(extra, 1):
                params["Parameters.member.%d.ParameterKey" % i] = k
                params["Parameters.member.%d.ParameterValue" % i] = v
            return self.check_error("cloudformation", "CreateStack",
                                    self.query("CreateStack", params), 400, code)

        dangling = json.dumps({"Resources": {"Subnet": {"Type": "AWS::EC2::Subnet", "Properties": {
            "VpcId": {"Ref": "Nowhere"}, "CidrBlock": "10.0.0.0/24"}}}})
        self.assertEqual(error(dangling, "ValidationError"),
                         "Template format error: Unresolved resource dependencies [Nowhere] "
                         "in the Resources block of the template")
        loop = json.dumps({"Resources": {
            "A": {"Type": "AWS::EC2::InternetGateway", "DependsOn": "B"},
            "B": {"Type": "AWS::EC2::InternetGateway", "DependsOn": "A"}}})
        self.assertEqual(error(loop, "ValidationError"), "Circular dependency between resources: [A, B]")
        self.assertEqual(error('{"Resources": {', "ValidationError"),
                         "Template format error: JSON not well-formed. (line 1, column 16)")
        crowded = json.dumps({"Resources": {"G%d" % i: {"Type": "AWS::EC2::InternetGateway"}
                                            for i in range(501)}})
        self.assertEqual(error(crowded, "ValidationError"), "Template format error: Number of "
                         "resources, 501, is greater than maximum allowed, 500")
        self.assertIn("Member must have length less than or equal to 51200",
                      error(json.dumps({"Description": "x" * 51200, "Resources": {}}), "ValidationError"))
        listed = json.dumps({"Parameters": ["Cidr"], "Resources": vpc_template("V")})
        self.assertEqual(error(listed, "ValidationError"),
                         "Template format error: Parameters must be a JSON object")
        unknown = json.dumps({"Resources": {"X": {"Type": "AWS::EC2::Nothing"}}})
        self.assertEqual(error(unknown, "ValidationError"),
                         "Template format error: Unrecognized resource types: [AWS::EC2::Nothing]")
        needs = json.dumps({"Parameters": {"Cidr": {"Type": "String"}}, "Resources": vpc_template("V")})
        self.assertEqual(error(needs, "ValidationError"), "Parameters: [Cidr] must have values")
        self.assertEqual(error(needs, "ValidationError", ("Cidr", "1"), ("Other", "2")),
                         "Parameters: [Other] do not exist in the template")
        role = {"Resources": {"R": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": TRUST}}}}
        self.assertEqual(error(json.dumps(role), "InsufficientCapabilitiesException"),
                         "Requires capabilities : [CAPABILITY_IAM]")
        role["Resources"]["R"]["Properties"]["RoleName"] = "fixed"
        err = self.fails("cloudformation", "create-stack", "--stack-name", "named",
                         "--template-body", json.dumps(role), "--capabilities", "CAPABILITY_IAM")
        self.assertIn("Requires capabilities : [CAPABILITY_NAMED_IAM]", err)
        self.aws("cloudformation", "create-stack", "--stack-name", "named",
                 "--template-body", json.dumps(role), "--capabilities", "CAPABILITY_NAMED_IAM")
        self.assertEqual(self.settle("named")["StackStatus"], "CREATE_COMPLETE")
        self.assertEqual(self.aws("iam", "get-role", "--role-name", "fixed")["Role"]["RoleName"], "fixed")
        self.assertEqual(self.aws("cloudformation", "list-stacks")["StackSummaries"][0]["StackName"], "named")

    def test_intrinsic_functions(self):
        template = {
            "Parameters": {"Env": {"Type": "String", "Default": "prod", "AllowedValues": ["prod", "dev"]},
                           "Zones": {"Type": "CommaDelimitedList", "Default": "x,y,z"}},
            "Conditions": {
                "IsProd": {"Fn::Equals": [{"Ref": "Env"}, "prod"]},
                "IsDev": {"Fn::Not": [{"Condition": "IsProd"}]},
                "Both": {"Fn::And": [{"Condition": "IsProd"}, {"Fn::Equals": ["a", "a"]}]},
                "Either": {"Fn::Or": [{"Condition": "IsDev"}, {"Fn::Equals": ["a", "b"]}]}},
            "Resources": {
                "Gateway": {"Type": "AWS::EC2::InternetGateway"},
                "DevOnly": {"Type": "AWS::EC2::InternetGateway", "Condition": "IsDev"}},
            "Outputs": {
                "Sub": {"Value": {"Fn::Sub": "${AWS::StackName}/${AWS::Region}/${Gateway}/${!Literal}"}},
                "SubVars": {"Value": {"Fn::Sub": ["${Name}-${AWS::AccountId}", {"Name": {"Ref": "Env"}}]}},
                "Join": {"Value": {"Fn::Join": ["-", ["a", {"Ref": "AWS::Partition"}, "c"]]}},
                "Select": {"Value": {"Fn::Select": ["2", {"Fn::GetAZs": {"Ref": "AWS::Region"}}]}},
                "List": {"Value": {"Fn::Select": [1, {"Ref": "Zones"}]}},
                "If": {"Value": {"Fn::If": ["Both", "both", "not both"]}},
                "IfOr": {"Value": {"Fn::If": ["Either", "either", {"Ref": "AWS::NoValue"}]}},
                "Attr": {"Value": {"Fn::GetAtt": "Gateway.InternetGatewayId"}},
                "DevOnly": {"Condition": "IsDev", "Value": {"Ref": "DevOnly"}}},
        }
        self.create("fns", template)
        stack = self.settle("fns")
        self.assertEqual(stack["StackStatus"], "CREATE_COMPLETE", stack.get("StackStatusReason"))
        gateway = self.resources("fns")["Gateway"]["PhysicalResourceId"]
        outputs = {o["OutputKey"]: o.get("OutputValue") for o in stack["Outputs"]}
        self.assertEqual(outputs["Sub"], "fns/us-east-2/%s/${Literal}" % gateway)
        self.assertEqual(outputs["SubVars"], "prod-111122223333")
        self.assertEqual(outputs["Join"], "a-aws-c")
        self.assertEqual(outputs["Select"], "us-east-2c")
        self.assertEqual(outputs["List"], "y")
        self.assertEqual(outputs["If"], "both")
        self.assertEqual(outputs["Attr"], gateway)
        self.assertNotIn("DevOnly", outputs)
        self.assertNotIn("DevOnly", self.resources("fns"))
        template_back = self.aws("cloudformation", "get-template", "--stack-name", "fns")["TemplateBody"]
        self.assertEqual(template_back, template)

    # --- replies as botocore reads them ---------------------------------

    def test_replies_match_botocore_shapes(self):
        template = json.dumps({"Description": "shapes", "Resources": vpc_template("V"),
                               "Outputs": {"V": {"Value": {"Ref": "V"}, "Description": "the VPC"}}})
        created = self.check_query_reply("cloudformation", "CreateStack", self.query("CreateStack", {
            "StackName": "shapes", "TemplateBody": template,
            "Tags.member.1.Key": "team", "Tags.member.1.Value": "web"}))
        stack_id = created["StackId"]
        self.assertTrue(stack_id.startswith("arn:aws:cloudformation:us-east-2:111122223333:stack/shapes/"))
        self.settle("shapes")
        for action, params in [("DescribeStacks", {"StackName": "shapes"}),
                               ("DescribeStacks", {}),
                               ("DescribeStackEvents", {"StackName": stack_id}),
                               ("DescribeStackResources", {"StackName": "shapes"}),
                               ("ListStacks", {"StackStatusFilter.member.1": "CREATE_COMPLETE"}),
                               ("GetTemplate", {"StackName": "shapes"})]:
            parsed = self.check_query_reply("cloudformation", action, self.query(action, params))
        self.assertEqual(json.loads(parsed["TemplateBody"])["Description"], "shapes")
        stack = self.check_query_reply("cloudformation", "DescribeStacks", self.query(
            "DescribeStacks", {"StackName": "shapes"}))["Stacks"][0]
        self.assertEqual(stack["Outputs"][0]["Description"], "the VPC")
        self.assertEqual(stack["Tags"], [{"Key": "team", "Value": "web"}])
        deleted = self.query("DeleteStack", {"StackName": "shapes"})
        self.assertEqual(deleted.status, 200, deleted.body)
        self.assertEqual(self.parse("cloudformation", "DeleteStack", deleted)["ResponseMetadata"]["HTTPStatusCode"], 200)
        self.settle(stack_id)
        listed = self.check_query_reply("cloudformation", "ListStacks", self.query(
            "ListStacks", {"StackStatusFilter.member.1": "CREATE_COMPLETE"}))
        self.assertEqual(listed["StackSummaries"], [])
        listed = self.check_query_reply("cloudformation", "ListStacks", self.query(
            "ListStacks", {"StackStatusFilter.member.1": "DELETE_COMPLETE"}))
        self.assertEqual([s["StackId"] for s in listed["StackSummaries"]], [stack_id])
        self.assertIn("DeletionTime", listed["StackSummaries"][0])
        self.check_error("cloudformation", "DescribeStackEvents",
                         self.query("DescribeStackEvents", {"StackName": "shapes"}), 400, "ValidationError")

    def test_events_come_in_pages(self):
        gateways = {"G%02d" % i: {"Type": "AWS::EC2::InternetGateway"} for i in range(40)}
        self.create("many", gateways)
        self.assertEqual(self.settle("many")["StackStatus"], "CREATE_COMPLETE")
        first = self.check_query_reply("cloudformation", "DescribeStackEvents",
                                       self.query("DescribeStackEvents", {"StackName": "many"}))
        self.assertEqual(len(first["StackEvents"]), 100)
        second = self.check_query_reply("cloudformation", "DescribeStackEvents", self.query(
            "DescribeStackEvents", {"StackName": "many", "NextToken": first["NextToken"]}))
        self.assertNotIn("NextToken", second)
        paged = first["StackEvents"] + second["StackEvents"]
        # Two events for the stack, three for each gateway.
        self.assertEqual(len(paged), 2 + 3 * 40)
        self.assertEqual(len({e["EventId"] for e in paged}), len(paged))
        self.assertEqual([e["EventId"] for e in self.events("many")], [e["EventId"] for e in paged])



class CfnClientTest(CfnBase):
    """albatross's CloudFormation client (api/cfn.c, through aws_tool)
    against the sandbox, with the aws CLI reading the same stacks."""

    def tool(self, *args, readonly=False):
        res = subprocess.run([TOOL, "--region", REGION] + (["--readonly"] if readonly else []) + list(args),
                             env=self.sb.client_env(), capture_output=True, text=True, timeout=60)
        return res.returncode, json.loads(res.stdout) if res.stdout.strip() else None, res.stderr

    def tool_ok(self, *args):
        rc, out, err = self.tool(*args)
        self.assertEqual(rc, 0, (out, err))
        return out

    def template_file(self, template):
        path = os.path.join(self.sb.dir.name, "template.json")
        with open(path, "w") as f:
            json.dump(template, f)
        return path

    def test_client_reads_what_the_cli_reads(self):
        template = cluster_template("client")
        created = self.tool_ok("stack-create", "client", self.template_file(template), "CAPABILITY_IAM")
        self.ids["client"] = created["StackId"]
        self.assertEqual(self.settle("client")["StackStatus"], "CREATE_COMPLETE")
        cli = self.stack("client")
        mine = self.tool_ok("stacks", "client")["Stacks"][0]
        self.assertEqual((mine["StackId"], mine["StackName"], mine["StackStatus"]),
                         (cli["StackId"], cli["StackName"], cli["StackStatus"]))
        self.assertEqual({o["OutputKey"]: o["OutputValue"] for o in mine["Outputs"]},
                         {o["OutputKey"]: o["OutputValue"] for o in cli["Outputs"]})
        self.assertEqual([e["EventId"] for e in self.tool_ok("stack-events", "client")["StackEvents"]],
                         [e["EventId"] for e in self.events("client")])
        resources = self.tool_ok("stack-resources", "client")["StackResources"]
        self.assertEqual({r["LogicalResourceId"]: (r["PhysicalResourceId"], r["ResourceStatus"]) for r in resources},
                         {k: (r["PhysicalResourceId"], r["ResourceStatus"])
                          for k, r in self.resources("client").items()})
        self.assertEqual(json.loads(self.tool_ok("stack-template", "client")["TemplateBody"]), template)

        self.tool_ok("stack-delete", "client")
        self.assertEqual(self.settle("client")["StackStatus"], "DELETE_COMPLETE")
        listed = self.tool_ok("stack-list", "DELETE_COMPLETE")["Stacks"]
        self.assertEqual([(s["StackId"], s["StackStatus"]) for s in listed], [(created["StackId"], "DELETE_COMPLETE")])
        self.assertTrue(listed[0]["DeletionTime"])
        self.assertEqual(self.tool_ok("stack-list", "CREATE_COMPLETE")["Stacks"], [])
        rc, out, _ = self.tool("stacks", "client")
        self.assertEqual(rc, 1)
        self.assertEqual(out["error"]["code"], "ValidationError")
        self.assertEqual(out["error"]["message"], "Stack with id client does not exist")

    def test_client_pages_events_and_stacks(self):
        gateways = {"G%02d" % i: {"Type": "AWS::EC2::InternetGateway"} for i in range(40)}
        self.create("many", gateways)
        self.settle("many")
        events = self.tool_ok("stack-events", "many")["StackEvents"]
        self.assertEqual(len(events), 2 + 3 * 40)
        self.assertEqual([e["EventId"] for e in events], [e["EventId"] for e in self.events("many")])

    def test_readonly_client_creates_and_deletes_nothing(self):
        path = self.template_file({"Resources": vpc_template("V")})
        rc, out, _ = self.tool("stack-create", "ro", path, readonly=True)
        self.assertEqual(rc, 1)
        self.assertEqual(out["error"]["code"], "ReadOnly")
        self.assertEqual(self.aws("cloudformation", "list-stacks")["StackSummaries"], [])
        self.create("kept", vpc_template("V"))
        rc, out, _ = self.tool("stack-delete", "kept", readonly=True)
        self.assertEqual(out["error"]["code"], "ReadOnly")
        self.assertEqual(self.settle("kept")["StackStatus"], "CREATE_COMPLETE")
        self.assertNotIn("DeleteStack", self.sb.output())


if __name__ == "__main__":
    unittest.main()
