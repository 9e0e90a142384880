"""The sandbox's on-call APIs and its load balancer controller.

ELBv2, ACM, WAFv2 and the EC2 network calls are read with the aws CLI and
botocore, and sent by hand to be judged strictly by botocheck. The
Kubernetes objects behind ingresses are read with kubectl and the API.
Each world of tests/worlds/alb-*.yaml must end as the AWS Load Balancer
Controller ends on it: with a load balancer carrying the controller's
names and tags, or with the controller's Warning event. Expected values
come from the world files.
"""

import base64
import json
import os
import re
import ssl
import tempfile
import time
import unittest
import urllib.parse
import urllib.request

import botocore.config
import botocore.session
import yaml
from botocore.exceptions import ClientError

import sandbox
from botocheck import AwsChecks
from sandbox import Sandbox

DEMO = os.path.join(sandbox.WORLDS, "demo.yaml")
REGION = "us-east-2"
CLUSTER = "alb-demo-cluster"
TAG_CLUSTER = "elbv2.k8s.aws/cluster"
TAG_STACK = "ingress.k8s.aws/stack"
TAG_RESOURCE = "ingress.k8s.aws/resource"
HOSTNAME = re.compile(r"^(internal-)?k8s-[a-z0-9-]+-\d{9,10}\.%s\.elb\.amazonaws\.com$"
                      % REGION)


def load(path):
    with open(path) as f:
        return yaml.safe_load(f)


def world_path(name):
    return os.path.join(sandbox.TEST_WORLDS, name + ".yaml")


def demo_cluster(world):
    return next(c for c in world["clusters"] if c["name"] == CLUSTER)


def region_vpc_ids(world, region=REGION):
    """The world's VPC ids in region, in file order, as EC2 lists them."""
    return [v["id"] for v in world["vpcs"] if v["region"] == region]


def region_subnets(world, region=REGION):
    """The world's subnets whose VPC is in region, in file order."""
    vpcs = set(region_vpc_ids(world, region))
    return [s for s in world["subnets"] if s["vpc"] in vpcs]


def stack_of(ingress):
    group = (ingress.get("annotations") or {}).get("alb.ingress.kubernetes.io/group.name")
    return group or "%s/%s" % (ingress.get("namespace", "default"), ingress["name"])


class Box:
    """A sandbox, botocore clients in one region, and kubectl. Most checks
    go through botocore, which parses replies as the aws CLI does in a
    fraction of its start-up time; AwsCliTest runs the CLI itself."""

    def __init__(self, world, *args):
        self.sb = Sandbox(world=world, args=list(args)).start()
        first = load(world)["clusters"][0]
        self.cluster, self.region = first["name"], first["region"]
        self.session = botocore.session.get_session()
        self.clients = {}
        self.tokens = {}

    def close(self):
        self.sb.stop()

    def client(self, service, region=REGION):
        if (service, region) not in self.clients:
            env = self.sb.env
            self.clients[service, region] = self.session.create_client(
                service, region_name=region, endpoint_url=env["AWS_ENDPOINT_URL"],
                verify=env["AWS_CA_BUNDLE"], aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
                aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
                config=botocore.config.Config(retries={"max_attempts": 1}))
        return self.clients[service, region]

    def call(self, service, operation, region=REGION, **params):
        return getattr(self.client(service, region), operation)(**params)

    def kubectl_json(self, *args, context=None):
        ctx = ["--context", context] if context else []
        return json.loads(self.sb.kubectl(*ctx, *args, "-o", "json").stdout)

    def token(self, cluster):
        """An EKS token made as aws eks get-token makes it: a presigned
        GetCallerIdentity that signs the x-k8s-aws-id header."""
        env = self.sb.env
        sts = self.session.create_client(
            "sts", region_name=REGION, endpoint_url=env["AWS_ENDPOINT_URL"],
            verify=env["AWS_CA_BUNDLE"], aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"])

        def add_cluster(request, **kwargs):
            request.headers["x-k8s-aws-id"] = cluster
        sts.meta.events.register("before-sign.sts.GetCallerIdentity", add_cluster)
        url = sts.generate_presigned_url("get_caller_identity", Params={},
                                         ExpiresIn=60, HttpMethod="GET")
        return "k8s-aws-v1." + base64.urlsafe_b64encode(url.encode()).decode().rstrip("=")

    def kube(self, path, cluster=None, region=None):
        """A Kubernetes GET without kubectl, whose exec plugin starts the
        aws CLI on every call; by default from the world's first cluster."""
        cluster, region = cluster or self.cluster, region or self.region
        key = (cluster, region)
        if key not in self.tokens:
            self.tokens[key] = self.token(cluster)
        url = "%s/k8s/%s/%s%s" % (self.sb.env["AWS_ENDPOINT_URL"], region, cluster, path)
        req = urllib.request.Request(url, headers={"Authorization": "Bearer " + self.tokens[key]})
        tls = ssl.create_default_context(cafile=self.sb.env["AWS_CA_BUNDLE"])
        with urllib.request.urlopen(req, context=tls, timeout=20) as res:
            return json.load(res)

    def load_balancers(self):
        return self.call("elbv2", "describe_load_balancers")["LoadBalancers"]

    def target_groups(self, **params):
        return self.call("elbv2", "describe_target_groups", **params)["TargetGroups"]

    def tags(self, arn):
        out = self.call("elbv2", "describe_tags", ResourceArns=[arn])
        return {t["Key"]: t["Value"] for t in out["TagDescriptions"][0]["Tags"]}

    def warnings(self, ns, name, cluster=None, region=None):
        query = urllib.parse.urlencode({"fieldSelector": "involvedObject.kind=Ingress,"
                                        "involvedObject.name=" + name})
        items = self.kube("/api/v1/namespaces/%s/events?%s" % (ns, query),
                          cluster, region)["items"]
        return [e for e in items if e["type"] == "Warning"]

    def health(self, tg_arn):
        out = self.call("elbv2", "describe_target_health", TargetGroupArn=tg_arn)
        return out["TargetHealthDescriptions"]


class DemoElbTest(AwsChecks, unittest.TestCase):
    """The demo world's ALBs, read in every way a client reads them."""

    @classmethod
    def setUpClass(cls):
        cls.world = load(DEMO)
        cls.box = Box(DEMO, "--clock-speed", "instant")
        cls.sb = cls.box.sb
        cls.env = cls.sb.env
        cls.endpoint = cls.env["AWS_ENDPOINT_URL"]
        cls.host = cls.endpoint.split("//", 1)[1]
        cls.tls = ssl.create_default_context(cafile=cls.env["AWS_CA_BUNDLE"])
        cls.key = cls.env["AWS_ACCESS_KEY_ID"]
        cls.secret = cls.env["AWS_SECRET_ACCESS_KEY"]
        cls.lbs = cls.box.load_balancers()

    @classmethod
    def tearDownClass(cls):
        cls.box.close()

    def elb(self, action, params=None, region=REGION):
        return self.query("elasticloadbalancing", action, params, region=region)

    def ingresses(self):
        return self.box.kube("/apis/networking.k8s.io/v1/ingresses")["items"]

    def lb_by_stack(self, stack):
        for lb in self.lbs:
            if self.box.tags(lb["LoadBalancerArn"]).get(TAG_STACK) == stack:
                return lb
        return None

    # --- through the aws CLI --------------------------------------------

    def cli(self, *args, region=REGION):
        res = self.sb.aws("--region", region, *args)
        return json.loads(res.stdout) if res.stdout.strip() else {}

    def test_aws_cli_reads_every_call(self):
        """One run of the aws CLI per operation, with what it must find."""
        lb = self.lb_by_stack("shop")
        arn = lb["LoadBalancerArn"]
        self.assertIn(lb["DNSName"], [x["DNSName"] for x in self.cli(
            "elbv2", "describe-load-balancers")["LoadBalancers"]])
        listeners = self.cli("elbv2", "describe-listeners", "--load-balancer-arn",
                             arn)["Listeners"]
        self.assertEqual(len(listeners), 2)
        rules = self.cli("elbv2", "describe-rules", "--listener-arn",
                         listeners[0]["ListenerArn"])["Rules"]
        self.assertTrue(rules[-1]["IsDefault"])
        groups = self.cli("elbv2", "describe-target-groups", "--load-balancer-arn",
                          arn)["TargetGroups"]
        health = self.cli("elbv2", "describe-target-health", "--target-group-arn",
                          groups[0]["TargetGroupArn"])["TargetHealthDescriptions"]
        self.assertTrue(health)
        tags = self.cli("elbv2", "describe-tags", "--resource-arns", arn)
        self.assertEqual(tags["TagDescriptions"][0]["ResourceArn"], arn)
        attributes = self.cli("elbv2", "describe-load-balancer-attributes",
                              "--load-balancer-arn", arn)["Attributes"]
        self.assertIn({"Key": "deletion_protection.enabled", "Value": "false"}, attributes)
        cert = self.world["certificates"][0]
        out = self.cli("acm", "describe-certificate", "--certificate-arn", cert["arn"])
        self.assertEqual(out["Certificate"]["DomainName"], cert["domain"])
        out = self.cli("wafv2", "get-web-acl-for-resource", "--resource-arn", arn)
        self.assertEqual(out["WebACL"]["Name"], self.world["webAcls"][0]["name"])
        subnets = self.cli("ec2", "describe-subnets", "--filters",
                           "Name=tag:kubernetes.io/role/elb,Values=1")["Subnets"]
        self.assertEqual(len(subnets), 3)
        groups = self.cli("ec2", "describe-security-groups", "--group-ids",
                          *lb["SecurityGroups"])["SecurityGroups"]
        self.assertEqual(len(groups), 2)
        vpcs = self.cli("ec2", "describe-vpcs")["Vpcs"]
        self.assertEqual([v["VpcId"] for v in vpcs], region_vpc_ids(self.world))

    # --- ELBv2 ----------------------------------------------------------

    def test_every_status_hostname_is_a_load_balancer(self):
        by_dns = {lb["DNSName"]: lb for lb in self.lbs}
        seen = 0
        for ing in self.ingresses():
            for entry in ing["status"]["loadBalancer"].get("ingress", []):
                lb = by_dns.get(entry["hostname"])
                self.assertIsNotNone(lb, "no ALB for %s" % entry["hostname"])
                tags = self.box.tags(lb["LoadBalancerArn"])
                self.assertEqual(tags[TAG_CLUSTER], CLUSTER)
                self.assertEqual(tags[TAG_RESOURCE], "LoadBalancer")
                seen += 1
        self.assertGreater(seen, 3)

    def test_group_shares_one_load_balancer(self):
        members = [i for i in demo_cluster(self.world)["ingresses"] if stack_of(i) == "shop"]
        self.assertGreater(len(members), 1)
        lb = self.lb_by_stack("shop")
        self.assertIsNotNone(lb)
        hostnames = {(i["metadata"]["namespace"], i["metadata"]["name"]):
                     i["status"]["loadBalancer"]["ingress"][0]["hostname"]
                     for i in self.ingresses() if i["status"]["loadBalancer"].get("ingress")}
        for m in members:
            self.assertEqual(hostnames[(m["namespace"], m["name"])], lb["DNSName"])

    def test_load_balancer_fields(self):
        lb = self.lb_by_stack("shop")
        subnets = {s["id"]: s for s in self.world["subnets"]}
        self.assertEqual(lb["Scheme"], "internet-facing")
        self.assertEqual(lb["State"]["Code"], "active")
        self.assertEqual(lb["Type"], "application")
        self.assertEqual(lb["VpcId"], demo_cluster(self.world)["vpcId"])
        zones = {z["SubnetId"]: z["ZoneName"] for z in lb["AvailabilityZones"]}
        self.assertEqual(len(zones), 3)
        for subnet, zone in zones.items():
            self.assertEqual(subnets[subnet]["availabilityZone"], zone)
            self.assertIn("kubernetes.io/role/elb", subnets[subnet]["tags"])
        self.assertEqual(len(lb["SecurityGroups"]), 2)

    def test_orphan_load_balancer_listed(self):
        orphan = self.world["loadBalancers"][0]
        lb = next(lb for lb in self.lbs if lb["LoadBalancerName"] == orphan["name"])
        self.assertEqual(self.box.tags(lb["LoadBalancerArn"]), orphan["tags"])
        claimed = {stack_of(i) for i in demo_cluster(self.world)["ingresses"]}
        self.assertNotIn(orphan["tags"][TAG_STACK], claimed)

    def test_listeners_rules_and_certificate(self):
        lb = self.lb_by_stack("shop")
        listeners = self.box.call("elbv2", "describe_listeners",
                                  LoadBalancerArn=lb["LoadBalancerArn"])["Listeners"]
        self.assertEqual([(l["Port"], l["Protocol"]) for l in listeners],
                         [(80, "HTTP"), (443, "HTTPS")])
        storefront = next(i for i in demo_cluster(self.world)["ingresses"]
                          if i["name"] == "storefront")
        cert = storefront["annotations"]["alb.ingress.kubernetes.io/certificate-arn"]
        self.assertEqual(listeners[1]["Certificates"][0]["CertificateArn"], cert)
        self.assertEqual(listeners[1]["SslPolicy"], "ELBSecurityPolicy-2016-08")
        rules = self.box.call("elbv2", "describe_rules",
                              ListenerArn=listeners[0]["ListenerArn"])["Rules"]
        self.assertEqual([r["Priority"] for r in rules][-1], "default")
        self.assertEqual([r["Priority"] for r in rules[:-1]],
                         [str(n) for n in range(1, len(rules))])
        hosts = [c["Values"] for r in rules for c in r["Conditions"]
                 if c["Field"] == "host-header"]
        self.assertIn(["api.shop.example.com"], hosts)
        missing = [r for r in rules if r["Actions"][0]["Type"] == "fixed-response"
                   and not r["IsDefault"]]
        self.assertEqual(len(missing), 1, "the missing service's 503 rule")
        self.assertEqual(missing[0]["Actions"][0]["FixedResponseConfig"]["StatusCode"], "503")

    def test_target_groups_and_health_reasons(self):
        lb = self.lb_by_stack("shop/catalog")
        groups = self.box.target_groups(LoadBalancerArn=lb["LoadBalancerArn"])
        self.assertEqual(len(groups), 1)
        tg = groups[0]
        self.assertEqual(tg["TargetType"], "ip")
        self.assertEqual(tg["HealthCheckPath"], "/health")
        self.assertRegex(tg["TargetGroupName"], r"^k8s-shop-catalog-[0-9a-f]{10}$")
        self.assertEqual(self.box.tags(tg["TargetGroupArn"])[TAG_RESOURCE],
                         "shop/catalog-catalog:80")
        pods = {p["status"]["podIP"]: p for p in
                self.box.kube("/api/v1/namespaces/shop/pods?labelSelector=app%3Dcatalog")["items"]}
        reasons = {}
        for h in self.box.health(tg["TargetGroupArn"]):
            self.assertIn(h["Target"]["Id"], pods)
            self.assertEqual(h["HealthCheckPort"], str(h["Target"]["Port"]))
            reasons[h["TargetHealth"]["State"]] = h["TargetHealth"].get("Reason")
        self.assertEqual(reasons, {"healthy": None,
                                   "unhealthy": reasons.get("unhealthy")})
        got = sorted(h["TargetHealth"].get("Reason", "") for h in
                     self.box.health(tg["TargetGroupArn"]))
        self.assertEqual(got, ["", "Target.ResponseCodeMismatch", "Target.Timeout"])

    def test_instance_targets_are_nodes(self):
        lb = self.lb_by_stack("shop/search")
        tg = self.box.target_groups(LoadBalancerArn=lb["LoadBalancerArn"])[0]
        self.assertEqual(tg["TargetType"], "instance")
        self.assertEqual(tg["Port"], 31920)
        health = self.box.health(tg["TargetGroupArn"])
        nodes = demo_cluster(self.world)["nodegroups"][0]["desiredCapacity"]
        self.assertEqual(len(health), nodes)
        for h in health:
            self.assertRegex(h["Target"]["Id"], r"^i-[0-9a-f]{17}$")
            self.assertEqual(h["TargetHealth"]["Reason"], "Target.FailedHealthChecks")

    def test_web_acl_of_load_balancer(self):
        lb = self.lb_by_stack("shop")
        out = self.box.call("wafv2", "get_web_acl_for_resource",
                            ResourceArn=lb["LoadBalancerArn"])
        self.assertEqual(out["WebACL"]["Name"], self.world["webAcls"][0]["name"])
        other = self.lb_by_stack("shop/catalog")
        out = self.box.call("wafv2", "get_web_acl_for_resource",
                            ResourceArn=other["LoadBalancerArn"])
        self.assertNotIn("WebACL", out)

    def test_certificate_only_in_its_region(self):
        for cert in self.world["certificates"]:
            region = cert["arn"].split(":")[3]
            out = self.box.call("acm", "describe_certificate", region=region,
                                CertificateArn=cert["arn"])["Certificate"]
            self.assertEqual(out["DomainName"], cert["domain"])
            self.assertEqual(out["Status"], cert.get("status", "ISSUED"))
            other = "us-east-1" if region != "us-east-1" else REGION
            with self.assertRaises(ClientError) as caught:
                self.box.call("acm", "describe_certificate", region=other,
                              CertificateArn=cert["arn"])
            self.assertEqual(caught.exception.response["Error"]["Code"],
                             "ResourceNotFoundException")

    def test_subnets_by_filter(self):
        vpc = demo_cluster(self.world)["vpcId"]
        out = self.box.call("ec2", "describe_subnets", Filters=[
            {"Name": "vpc-id", "Values": [vpc]},
            {"Name": "tag:kubernetes.io/role/elb", "Values": ["", "1"]}])["Subnets"]
        want = sorted(s["id"] for s in region_subnets(self.world)
                      if "kubernetes.io/role/elb" in s.get("tags", {}))
        self.assertEqual(sorted(s["SubnetId"] for s in out), want)
        out = self.box.call("ec2", "describe_subnets", Filters=[
            {"Name": "tag:kubernetes.io/role/internal-elb", "Values": ["1"]}])["Subnets"]
        self.assertEqual(out, [])

    def test_security_groups_of_load_balancer(self):
        lb = self.lb_by_stack("shop")
        out = self.box.call("ec2", "describe_security_groups",
                            GroupIds=lb["SecurityGroups"])["SecurityGroups"]
        resources = sorted(g["Tags"] and {t["Key"]: t["Value"] for t in g["Tags"]}.get(
            TAG_RESOURCE, {t["Key"]: t["Value"] for t in g["Tags"]}.get(
                "elbv2.k8s.aws/resource")) for g in out)
        self.assertEqual(resources, ["ManagedLBSecurityGroup", "backend-sg"])

    def test_vpcs(self):
        out = self.box.call("ec2", "describe_vpcs")["Vpcs"]
        self.assertEqual([v["VpcId"] for v in out], region_vpc_ids(self.world))

    # --- strict shapes -------------------------------------------------

    def test_describe_load_balancers_strict(self):
        parsed = self.check_query_reply("elasticloadbalancing", "DescribeLoadBalancers",
                                        self.elb("DescribeLoadBalancers"))
        self.assertEqual(len(parsed["LoadBalancers"]), len(self.lbs))

    def test_describe_load_balancers_pages(self):
        names, marker, pages = [], None, 0
        while True:
            params = {"PageSize": "2"}
            if marker:
                params["Marker"] = marker
            parsed = self.check_query_reply("elasticloadbalancing", "DescribeLoadBalancers",
                                            self.elb("DescribeLoadBalancers", params))
            names += [lb["LoadBalancerName"] for lb in parsed["LoadBalancers"]]
            pages += 1
            marker = parsed.get("NextMarker")
            if not marker:
                break
        self.assertEqual(names, [lb["LoadBalancerName"] for lb in self.lbs])
        self.assertEqual(pages, (len(self.lbs) + 1) // 2)
        bad = self.elb("DescribeLoadBalancers", {"PageSize": "0"})
        self.check_error("elasticloadbalancing", "DescribeLoadBalancers", bad, 400,
                         "ValidationError")

    def test_describe_load_balancers_by_arn_and_name(self):
        lb = self.lbs[0]
        parsed = self.check_query_reply("elasticloadbalancing", "DescribeLoadBalancers",
                                        self.elb("DescribeLoadBalancers", {
                                            "Names.member.1": lb["LoadBalancerName"]}))
        self.assertEqual([x["LoadBalancerArn"] for x in parsed["LoadBalancers"]],
                         [lb["LoadBalancerArn"]])
        bad = self.elb("DescribeLoadBalancers", {"LoadBalancerArns.member.1":
                                                 lb["LoadBalancerArn"] + "0"})
        self.check_error("elasticloadbalancing", "DescribeLoadBalancers", bad, 400,
                         "LoadBalancerNotFound")
        other = self.elb("DescribeLoadBalancers", region="eu-west-1")
        self.assertEqual(self.check_query_reply("elasticloadbalancing",
                                                "DescribeLoadBalancers", other)["LoadBalancers"], [])

    def test_listeners_rules_groups_health_strict(self):
        for lb in self.lbs:
            arn = {"LoadBalancerArn": lb["LoadBalancerArn"]}
            listeners = self.check_query_reply("elasticloadbalancing", "DescribeListeners",
                                               self.elb("DescribeListeners", arn))["Listeners"]
            for l in listeners:
                self.check_query_reply("elasticloadbalancing", "DescribeRules",
                                       self.elb("DescribeRules",
                                                {"ListenerArn": l["ListenerArn"]}))
            groups = self.check_query_reply("elasticloadbalancing", "DescribeTargetGroups",
                                            self.elb("DescribeTargetGroups", arn))["TargetGroups"]
            for g in groups:
                self.check_query_reply("elasticloadbalancing", "DescribeTargetHealth",
                                       self.elb("DescribeTargetHealth",
                                                {"TargetGroupArn": g["TargetGroupArn"]}))
            self.check_query_reply("elasticloadbalancing", "DescribeLoadBalancerAttributes",
                                   self.elb("DescribeLoadBalancerAttributes", arn))

    def test_not_found_errors(self):
        lb = self.lbs[0]["LoadBalancerArn"]
        cases = [
            ("DescribeListeners", {"LoadBalancerArn": lb + "x"}, "LoadBalancerNotFound"),
            ("DescribeListeners", {}, "ValidationError"),
            ("DescribeRules", {"ListenerArn": lb.replace("loadbalancer", "listener") + "/1"},
             "ListenerNotFound"),
            ("DescribeTargetGroups", {"TargetGroupArns.member.1": lb + "x"},
             "TargetGroupNotFound"),
            ("DescribeTargetHealth", {"TargetGroupArn": "arn:aws:elasticloadbalancing:"
                                      "us-east-2:111122223333:targetgroup/x/1"},
             "TargetGroupNotFound"),
            ("DescribeLoadBalancerAttributes", {"LoadBalancerArn": lb + "x"},
             "LoadBalancerNotFound"),
        ]
        for action, params, code in cases:
            with self.subTest(action=action, code=code):
                self.check_error("elasticloadbalancing", action, self.elb(action, params),
                                 400, code)

    def test_describe_tags_limit(self):
        arns = [lb["LoadBalancerArn"] for lb in self.lbs]
        params = {"ResourceArns.member.%d" % (i + 1): arns[0] for i in range(21)}
        reply = self.elb("DescribeTags", params)
        self.check_error("elasticloadbalancing", "DescribeTags", reply, 400, "ValidationError")
        params = {"ResourceArns.member.%d" % (i + 1): a for i, a in enumerate(arns)}
        parsed = self.check_query_reply("elasticloadbalancing", "DescribeTags",
                                        self.elb("DescribeTags", params))
        self.assertEqual([d["ResourceArn"] for d in parsed["TagDescriptions"]], arns)
        reply = self.elb("DescribeTags", {"ResourceArns.member.1": arns[0] + "x"})
        self.check_error("elasticloadbalancing", "DescribeTags", reply, 400,
                         "LoadBalancerNotFound")

    def test_unregistered_target(self):
        tg = self.box.target_groups()[0]
        parsed = self.check_query_reply("elasticloadbalancing", "DescribeTargetHealth",
                                        self.elb("DescribeTargetHealth", {
                                            "TargetGroupArn": tg["TargetGroupArn"],
                                            "Targets.member.1.Id": "10.9.9.9",
                                            "Targets.member.1.Port": "80"}))
        health = parsed["TargetHealthDescriptions"][0]["TargetHealth"]
        self.assertEqual(health["State"], "unused")
        self.assertEqual(health["Reason"], "Target.NotRegistered")

    def test_acm_and_wafv2_strict(self):
        cert = self.world["certificates"][0]
        reply = self.json_call("acm", "DescribeCertificate", {"CertificateArn": cert["arn"]},
                               region=REGION)
        parsed = self.check_json_reply("DescribeCertificate", reply, service="acm")
        self.assertEqual(parsed["Certificate"]["SubjectAlternativeNames"],
                         cert["subjectAlternativeNames"])
        self.assertTrue(parsed["Certificate"]["InUseBy"])
        reply = self.json_call("acm", "DescribeCertificate", {"CertificateArn": cert["arn"]},
                               region="us-east-1")
        self.check_error("acm", "DescribeCertificate", reply, 400, "ResourceNotFoundException")
        lb = self.lb_by_stack("shop")
        reply = self.json_call("wafv2", "GetWebACLForResource",
                               {"ResourceArn": lb["LoadBalancerArn"]}, region=REGION)
        self.check_json_reply("GetWebACLForResource", reply, service="wafv2")
        reply = self.json_call("wafv2", "GetWebACLForResource",
                               {"ResourceArn": lb["LoadBalancerArn"] + "x"}, region=REGION)
        self.check_error("wafv2", "GetWebACLForResource", reply, 400,
                         "WAFNonexistentItemException")

    def test_ec2_network_strict(self):
        for action in ("DescribeSubnets", "DescribeSecurityGroups", "DescribeVpcs"):
            with self.subTest(action=action):
                self.check_query_reply("ec2", action, self.query("ec2", action, region=REGION))
        first = self.query("ec2", "DescribeSubnets", {"MaxResults": "5"}, region=REGION)
        parsed = self.check_query_reply("ec2", "DescribeSubnets", first)
        self.assertEqual(len(parsed["Subnets"]), 5)
        rest = self.query("ec2", "DescribeSubnets", {"NextToken": parsed["NextToken"]},
                          region=REGION)
        ids = [s["SubnetId"] for s in parsed["Subnets"]] + \
            [s["SubnetId"] for s in self.check_query_reply("ec2", "DescribeSubnets", rest)["Subnets"]]
        self.assertEqual(ids, [s["id"] for s in region_subnets(self.world)])
        bad = self.query("ec2", "DescribeSubnets", {"SubnetId.1": "subnet-0000"}, region=REGION)
        self.check_error("ec2", "DescribeSubnets", bad, 400, "InvalidSubnetID.NotFound")
        bad = self.query("ec2", "DescribeVpcs", {"Filter.1.Name": "bogus",
                                                 "Filter.1.Value.1": "x"}, region=REGION)
        self.check_error("ec2", "DescribeVpcs", bad, 400, "InvalidParameterValue")

    # --- Kubernetes ----------------------------------------------------

    def test_kubectl_reads_ingress_backends(self):
        """One kubectl run for the kinds behind an ingress, and one for the
        events of an ingress with kubectl's own field selector."""
        cluster = demo_cluster(self.world)
        items = self.box.kubectl_json("get", "svc,endpoints,endpointslices,pods,ingressclass",
                                      "-n", "shop")["items"]
        kinds = {}
        for item in items:
            kinds.setdefault(item["kind"], []).append(item["metadata"]["name"])
        self.assertEqual(sorted(kinds["Service"]),
                         sorted(s["name"] for s in cluster["services"]
                                if s.get("namespace") == "shop"))
        self.assertEqual(sorted(kinds["Endpoints"]), sorted(kinds["Service"]))
        self.assertEqual(len(kinds["EndpointSlice"]), len(kinds["Service"]))
        self.assertIn("search-1", kinds["Pod"])
        self.assertEqual(kinds["IngressClass"], ["alb"])
        events = self.box.kubectl_json("get", "events", "-n", "payments", "--field-selector",
                                       "involvedObject.kind=Ingress,involvedObject.name=checkout,"
                                       "type=Warning")["items"]
        self.assertEqual([e["reason"] for e in events], ["FailedBuildModel"])
        res = self.sb.kubectl("get", "ingressclassparams")
        self.assertIn("No resources found", res.stderr)

    def test_endpoints_and_pods(self):
        ep = self.box.kube("/api/v1/namespaces/shop/endpoints/search")
        ready = [a["targetRef"]["name"] for s in ep["subsets"] for a in s["addresses"]]
        not_ready = [a["targetRef"]["name"] for s in ep["subsets"]
                     for a in s["notReadyAddresses"]]
        self.assertEqual((ready, not_ready), (["search-0"], ["search-1"]))
        self.assertEqual([p["port"] for p in ep["subsets"][0]["ports"]], [9200])
        slices = self.box.kube("/apis/discovery.k8s.io/v1/namespaces/shop/endpointslices"
                               "?labelSelector=kubernetes.io%2Fservice-name%3Dsearch")["items"]
        self.assertEqual(len(slices), 1)
        self.assertEqual([e["conditions"]["ready"] for e in slices[0]["endpoints"]],
                         [True, False])
        pod = self.box.kube("/api/v1/namespaces/shop/pods/search-1")
        self.assertEqual(pod["status"]["phase"], "Running")
        ready = [c for c in pod["status"]["conditions"] if c["type"] == "Ready"][0]
        self.assertEqual(ready["status"], "False")
        on_node = self.box.kube("/api/v1/pods?fieldSelector=spec.nodeName%3D" +
                                pod["spec"]["nodeName"])["items"]
        self.assertIn("search-1", [p["metadata"]["name"] for p in on_node])

    def test_events_of_ingress(self):
        warnings = self.box.warnings("payments", "checkout")
        self.assertEqual(len(warnings), 1)
        event = warnings[0]
        self.assertEqual(event["reason"], "FailedBuildModel")
        self.assertIn("kubernetes.io/role/internal-elb", event["message"])
        self.assertEqual(event["source"]["component"], "ingress")
        self.assertEqual(event["involvedObject"]["kind"], "Ingress")
        ingress = self.box.kube("/apis/networking.k8s.io/v1/namespaces/payments/"
                                "ingresses/checkout")
        self.assertEqual(event["involvedObject"]["uid"], ingress["metadata"]["uid"])
        v1 = self.box.kube("/apis/events.k8s.io/v1/namespaces/payments/events"
                           "?fieldSelector=regarding.name%3Dcheckout")["items"]
        self.assertEqual([e["note"] for e in v1 if e["type"] == "Warning"], [event["message"]])
        none = self.box.kube("/api/v1/namespaces/shop/events"
                             "?fieldSelector=involvedObject.name%3Dlegacy-checkout")["items"]
        self.assertEqual(none, [], "no controller claims class alb-legacy")

    def test_other_clusters_fail_as_configured(self):
        (trust,) = self.box.warnings("web", "frontend", "staging", "eu-west-1")
        self.assertEqual(trust["reason"], "FailedBuildModel")
        self.assertIn("operation error STS: AssumeRoleWithWebIdentity", trust["message"])
        self.assertIn("Not authorized to perform sts:AssumeRoleWithWebIdentity",
                      trust["message"])
        (denied,) = self.box.warnings("tools", "jenkins", "platform")
        self.assertEqual(denied["reason"], "FailedDeployModel")
        self.assertIn("is not authorized to perform: "
                      "elasticloadbalancing:CreateLoadBalancer", denied["message"])


# What each world of tests/worlds must end in: the event reason and a part
# of its message on the ingress web/web, or None for no warning.
OUTCOMES = {
    "alb-no-subnets": ("FailedBuildModel",
                       "Failed build model due to couldn't auto-discover subnets: unable to "
                       "resolve at least one subnet (0 match VPC and tags: "
                       "[kubernetes.io/role/internal-elb])"),
    "alb-cert-wrong-region": ("FailedDeployModel",
                              "Failed deploy model due to CertificateNotFound: Certificate "
                              "'arn:aws:acm:us-east-1:"),
    "alb-no-ingressclass": None,
    "alb-access-denied": ("FailedDeployModel",
                          "Failed deploy model due to AccessDenied: User: arn:aws:sts::"
                          "111122223333:assumed-role/lbc/"),
    "alb-trust-mismatch": ("FailedBuildModel",
                           "Failed build model due to couldn't auto-discover subnets: "
                           "WebIdentityErr: failed to retrieve credentials\ncaused by: "
                           "AccessDenied: Not authorized to perform "
                           "sts:AssumeRoleWithWebIdentity\n\tstatus code: 403, request id: "),
    "alb-missing-service": ("FailedBuildModel",
                            'Failed build model due to ingress: web/web: services "web-v2" '
                            'not found'),
    "alb-healthy": None,
    "alb-unhealthy-targets": None,
}

# Whether the controller leaves a load balancer for web/web.
LOAD_BALANCER = {"alb-healthy", "alb-unhealthy-targets", "alb-cert-wrong-region"}


class ControllerOutcomeTest(unittest.TestCase):
    def run_world(self, name):
        box = Box(world_path(name), "--clock-speed", "instant")
        try:
            warnings = box.warnings("web", "web")
            want = OUTCOMES[name]
            if want is None:
                self.assertEqual(warnings, [])
            else:
                self.assertEqual(len(warnings), 1, warnings)
                self.assertEqual(warnings[0]["reason"], want[0])
                self.assertIn(want[1], warnings[0]["message"])
            lbs = [lb for lb in box.load_balancers()
                   if box.tags(lb["LoadBalancerArn"]).get(TAG_STACK) == "web/web"]
            self.assertEqual(len(lbs), 1 if name in LOAD_BALANCER else 0)
            ing = box.kube("/apis/networking.k8s.io/v1/namespaces/web/ingresses/web")
            status = ing["status"]["loadBalancer"].get("ingress", [])
            if want is None and lbs:
                self.assertEqual([s["hostname"] for s in status], [lbs[0]["DNSName"]])
                self.assertRegex(lbs[0]["DNSName"], HOSTNAME)
            else:
                self.assertEqual(status, [], "no status until the deploy succeeds")
            return box
        except BaseException:
            box.close()
            raise

    def test_no_subnets(self):
        self.run_world("alb-no-subnets").close()

    def test_cert_wrong_region(self):
        box = self.run_world("alb-cert-wrong-region")
        try:
            lb = box.load_balancers()[0]
            listeners = box.call("elbv2", "describe_listeners",
                                 LoadBalancerArn=lb["LoadBalancerArn"])["Listeners"]
            self.assertEqual(listeners, [], "the HTTPS listener was refused")
        finally:
            box.close()

    def test_certificate_not_issued(self):
        """A certificate of the right region that ACM has not issued is
        refused as well."""
        world = load(world_path("alb-cert-wrong-region"))
        arn = "arn:aws:acm:us-east-2:111122223333:certificate/0f1e2d3c-4b5a-4697-8877-665544332211"
        world["certificates"] = [{"arn": arn, "domain": "web.example.com",
                                  "status": "PENDING_VALIDATION"}]
        ingress = world["clusters"][0]["ingresses"][0]
        ingress["annotations"]["alb.ingress.kubernetes.io/certificate-arn"] = arn
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "pending.yaml")
            with open(path, "w") as f:
                yaml.safe_dump(world, f)
            box = Box(path, "--clock-speed", "instant")
            try:
                (event,) = box.warnings("web", "web")
            finally:
                box.close()
        self.assertEqual(event["reason"], "FailedDeployModel")
        self.assertIn("CertificateNotFound: Certificate '%s' not found" % arn, event["message"])

    def test_no_ingress_class(self):
        self.run_world("alb-no-ingressclass").close()

    def test_access_denied(self):
        self.run_world("alb-access-denied").close()

    def test_trust_mismatch(self):
        self.run_world("alb-trust-mismatch").close()

    def test_missing_service(self):
        self.run_world("alb-missing-service").close()

    def test_healthy(self):
        box = self.run_world("alb-healthy")
        try:
            lb = box.load_balancers()[0]
            self.assertEqual(box.tags(lb["LoadBalancerArn"]),
                             {TAG_CLUSTER: "shop", TAG_STACK: "web/web",
                              TAG_RESOURCE: "LoadBalancer"})
            tg = box.target_groups()[0]
            states = [h["TargetHealth"]["State"] for h in box.health(tg["TargetGroupArn"])]
            self.assertEqual(states, ["healthy", "healthy"])
            events = box.kube("/api/v1/namespaces/web/events")["items"]
            self.assertEqual([e["reason"] for e in events], ["SuccessfullyReconciled"])
        finally:
            box.close()

    def test_unhealthy_targets(self):
        box = self.run_world("alb-unhealthy-targets")
        try:
            reasons = {}
            for tg in box.target_groups():
                resource = box.tags(tg["TargetGroupArn"])[TAG_RESOURCE]
                reasons[resource] = sorted(h["TargetHealth"].get("Reason", "healthy")
                                           for h in box.health(tg["TargetGroupArn"]))
            self.assertEqual(reasons, {
                "web/web-web:80": ["Target.ResponseCodeMismatch", "Target.Timeout", "healthy"],
                "web/api-api:8080": ["Target.FailedHealthChecks"] * 2,
            })
        finally:
            box.close()


class ClockTest(AwsChecks, unittest.TestCase):
    """Load balancers and targets settle on the sandbox clock. The calls
    are signed here rather than run through the aws CLI, whose start-up
    takes longer than the short timings under test."""

    def start(self, tmp, *args):
        world = load(world_path("alb-healthy"))
        world["timing"] = {"loadBalancerProvisioning": 1, "targetRegistration": 1,
                           "initialHealthChecks": 1}
        path = os.path.join(tmp, "timed.yaml")
        with open(path, "w") as f:
            yaml.safe_dump(world, f)
        self.sb = Sandbox(world=path, args=list(args)).start()
        self.endpoint = self.sb.env["AWS_ENDPOINT_URL"]
        self.host = self.endpoint.split("//", 1)[1]
        self.tls = ssl.create_default_context(cafile=self.sb.env["AWS_CA_BUNDLE"])
        self.key = self.sb.env["AWS_ACCESS_KEY_ID"]
        self.secret = self.sb.env["AWS_SECRET_ACCESS_KEY"]

    def elb(self, action, params=None):
        reply = self.query("elasticloadbalancing", action, params, region=REGION)
        return self.check_query_reply("elasticloadbalancing", action, reply)

    def states(self):
        lb = self.elb("DescribeLoadBalancers")["LoadBalancers"][0]
        tg = self.elb("DescribeTargetGroups")["TargetGroups"][0]
        health = self.elb("DescribeTargetHealth", {
            "TargetGroupArn": tg["TargetGroupArn"]})["TargetHealthDescriptions"]
        return (lb["State"]["Code"],) + tuple(
            (h["TargetHealth"]["State"], h["TargetHealth"].get("Reason"))
            for h in health)[:1]

    def test_load_balancer_settles_on_the_clock(self):
        with tempfile.TemporaryDirectory() as tmp:
            self.start(tmp)
            try:
                seen = [self.states()]
                deadline = time.monotonic() + 10
                while seen[-1] != ("active", ("healthy", None)) and \
                        time.monotonic() < deadline:
                    time.sleep(0.1)
                    if self.states() != seen[-1]:
                        seen.append(self.states())
            finally:
                self.sb.stop()
        self.assertEqual(seen[0], ("provisioning", ("initial", "Elb.RegistrationInProgress")))
        self.assertIn(("active", ("initial", "Elb.InitialHealthChecking")), seen)
        self.assertEqual(seen[-1], ("active", ("healthy", None)))

    def test_clock_speed_hurries_the_clock(self):
        with tempfile.TemporaryDirectory() as tmp:
            self.start(tmp, "--clock-speed", "50")
            try:
                time.sleep(0.2)
                self.assertEqual(self.states(), ("active", ("healthy", None)))
            finally:
                self.sb.stop()

    def test_bad_clock_speed_rejected(self):
        for value in ("0", "-1", "fast"):
            box = Sandbox(world=world_path("alb-healthy"), args=["--clock-speed", value])
            with self.subTest(value=value), self.assertRaises(RuntimeError) as caught:
                box.start()
            box.stop()
            self.assertIn("invalid --clock-speed value", str(caught.exception))


class WatchTest(unittest.TestCase):
    """Watches of ingresses and events while the controller reconciles,
    which timing.controllerStart delays by a second."""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        world = load(world_path("alb-healthy"))
        world["timing"]["controllerStart"] = 1
        path = os.path.join(self.tmp.name, "late.yaml")
        with open(path, "w") as f:
            yaml.safe_dump(world, f)
        self.box = Box(path)

    def tearDown(self):
        self.box.close()
        self.tmp.cleanup()

    def open_watch(self, path):
        box = self.box
        token = box.token(box.cluster)
        url = "%s/k8s/%s/%s%s" % (box.sb.env["AWS_ENDPOINT_URL"], box.region,
                                  box.cluster, path)
        req = urllib.request.Request(url, headers={"Authorization": "Bearer " + token})
        tls = ssl.create_default_context(cafile=box.sb.env["AWS_CA_BUNDLE"])
        return urllib.request.urlopen(req, context=tls, timeout=10)

    def events(self, stream, count):
        """The next count watch events, skipping keep-alive newlines."""
        out = []
        while len(out) < count:
            line = stream.readline()
            self.assertTrue(line, "the watch ended after %r" % out)
            if line.strip():
                out.append(json.loads(line))
        return out

    def test_ingress_watch_sees_status(self):
        path = "/apis/networking.k8s.io/v1/namespaces/web/ingresses?watch=1"
        with self.open_watch(path) as stream:
            self.assertEqual(stream.headers["Content-Type"], "application/json")
            added, modified = self.events(stream, 2)
        self.assertEqual(added["type"], "ADDED")
        self.assertEqual(added["object"]["kind"], "Ingress")
        self.assertEqual(added["object"]["status"]["loadBalancer"], {})
        self.assertEqual(modified["type"], "MODIFIED")
        hostname = modified["object"]["status"]["loadBalancer"]["ingress"][0]["hostname"]
        self.assertRegex(hostname, HOSTNAME)
        self.assertGreater(int(modified["object"]["metadata"]["resourceVersion"]),
                           int(added["object"]["metadata"]["resourceVersion"]))

    def test_event_watch_from_list_version(self):
        listed = self.box.kube("/api/v1/namespaces/web/events")
        self.assertEqual(listed["items"], [], "the controller has not run yet")
        rv = listed["metadata"]["resourceVersion"]
        path = ("/api/v1/namespaces/web/events?watch=true&resourceVersion=%s"
                "&fieldSelector=involvedObject.name%%3Dweb" % rv)
        with self.open_watch(path) as stream:
            (event,) = self.events(stream, 1)
        self.assertEqual(event["type"], "ADDED")
        self.assertEqual(event["object"]["reason"], "SuccessfullyReconciled")

    def test_watch_ends_at_timeout(self):
        path = "/apis/networking.k8s.io/v1/ingresses?watch=1&timeoutSeconds=1"
        start = time.monotonic()
        with self.open_watch(path) as stream:
            body = stream.read()
        self.assertLess(time.monotonic() - start, 5)
        types = [json.loads(line)["type"] for line in body.splitlines() if line.strip()]
        self.assertEqual(types[0], "ADDED")


if __name__ == "__main__":
    unittest.main()
