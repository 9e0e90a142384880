"""The chain's AWS calls against a loopback ELBv2 with more load balancers
than one page holds: DescribeLoadBalancers follows NextMarker, tags go 20
ARNs a call, target health is read once per target group of the cluster,
and only the described ALB gets listener and rule calls. Kubernetes is
the sandbox's."""

import json
import math
import unittest

from fake_elbv2 import Account, FakeElbv2, stacks_of
from sandbox import Sandbox

OTHER_CLUSTER_LBS = 430      # with the cluster's own: more than 400


def setUpModule():
    global SB
    SB = Sandbox().start()


def tearDownModule():
    SB.stop()


def cluster_name():
    items = json.loads(SB.albatross("get", "ingresses", "-o", "json").stdout)["items"]
    cluster = items[0]["cluster"]
    if ":cluster/" in cluster:
        cluster = cluster.split(":cluster/", 1)[1]
    return cluster


class PagingAndBatches(unittest.TestCase):
    def setUp(self):
        items = json.loads(SB.kubectl("get", "ingress", "-A", "-o", "json").stdout)["items"]
        self.stacks = stacks_of(items)
        self.assertTrue(self.stacks)
        self.account = Account(SB.env["AWS_REGION"], cluster_name(), self.stacks,
                               extra=OTHER_CLUSTER_LBS)
        self.fake = FakeElbv2(self.account)

    def tearDown(self):
        self.fake.stop()

    def describe(self, ns, name):
        return SB.albatross("describe", "ingress", "%s/%s" % (ns, name), "-o", "json",
                            AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2=self.fake.url)

    def calls(self, op):
        return [p for o, p in self.fake.calls if o == op]

    def test_describe_pages_and_batches(self):
        ns, name, backends = self.stacks[0][1][0]
        chain = json.loads(self.describe(ns, name).stdout)
        self.assertEqual(chain["loadBalancer"]["arn"], self.account.lbs[0]["arn"])
        self.assertEqual(chain["albState"], "active")
        self.assertEqual(chain["targetsTotal"], len(backends))
        self.assertEqual([l["port"] for l in chain["listeners"]], [80])

        pages = self.calls("DescribeLoadBalancers")
        self.assertEqual(len(pages), math.ceil(len(self.account.lbs) / 400))
        self.assertNotIn("Marker", pages[0])
        self.assertEqual(pages[1]["Marker"], "400")
        self.assertEqual(pages[0]["PageSize"], "400")

        tagged = []
        for params in self.calls("DescribeTags"):
            arns = [v for k, v in params.items() if k.startswith("ResourceArns.member.")]
            self.assertLessEqual(len(arns), 20)
            tagged += arns
        everything = [lb["arn"] for lb in self.account.lbs] + [t["arn"] for t in self.account.tgs]
        self.assertEqual(sorted(tagged), sorted(everything))
        self.assertEqual(len(self.calls("DescribeTags")), math.ceil(len(everything) / 20))

        # Health of the cluster's target groups only; the drill-down of
        # the described ALB only.
        self.assertEqual(len(self.calls("DescribeTargetHealth")), len(self.account.tgs))
        self.assertEqual([p["LoadBalancerArn"] for p in self.calls("DescribeListeners")],
                         [chain["loadBalancer"]["arn"]])
        self.assertEqual(len(self.calls("DescribeRules")), 1)
        self.assertEqual(len(self.calls("DescribeLoadBalancerAttributes")), 1)

    def test_every_ingress_finds_its_alb(self):
        for i, (stack, ingresses) in enumerate(self.stacks):
            for ns, name, backends in ingresses:
                chain = json.loads(self.describe(ns, name).stdout)
                self.assertEqual(chain["loadBalancer"]["arn"], self.account.lbs[i]["arn"],
                                 "%s/%s" % (ns, name))
                self.assertEqual(len(chain["targetGroups"]), len(backends))
                self.assertEqual(len(chain["sharesLoadBalancerWith"]), len(ingresses) - 1)


if __name__ == "__main__":
    unittest.main()
