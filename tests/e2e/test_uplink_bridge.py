"""The uplink through a hall-side broker bridged to the city's (issue 16):
the hall publishes to a mosquitto next to it, bridged (`connection`,
`address`, `topic hallq/# out 1`, `cleansession false`, persistence on both)
to a second "city" mosquitto; the subscriber (persistent session, QoS 1)
reads the city broker.  Checked against web/README.md "## Uplink to the city
platform (MQTT)": every event of the log arrives, deduplicated by seq (in
any order: mosquitto 2.0.11's bridge, reconnecting after a city outage, was
seen passing on newer messages before what it had queued — the hall had
them all acknowledged by then, so that order is the bridge's) —

- through the bridge as it is;
- with the city broker stopped for 12 s while the hall works (the bridge
  queues; the hall's own broker stays up, so GET /api/uplink stays
  connected with backlog 0) and started again on the same port;
- with the hall-side broker stopped for 10 s while the hall works (the hall
  is away: connected false, the backlog grows) and started again on the
  same port.

Both brokers run with `max_queued_messages 0` (no bound): the hall's
cursor moves on the hall-side broker's PUBACK, so whatever a bounded relay
drops during a long city outage (mosquitto's default bound is 1000 messages
per client) is lost for the city and cannot be caught up from the hall's
log.

Uses tests/e2e/mqtt.py (BridgedPair) and the helpers of test_uplink.py.
"""
import time

import mqtt
from test_uplink import EVENTS, UplinkCase


class Bridged(UplinkCase):

    def pair(self):
        p = mqtt.BridgedPair()
        self.addCleanup(p.cleanup)
        p.start()
        return p

    def test_through_the_bridge_and_a_city_outage(self):
        p = self.pair()
        sub = self.subscriber(p.city.port, [EVENTS])
        h = self.new_hall(p.hall_side.url)
        self.wait_connected(h)
        self.rounds(h, 0, 8)
        self.assert_every_event(h, sub, 60)

        # the city's broker away: the hall's own broker takes everything
        n_bridge = p.bridge_connections()
        p.city.stop()
        t0 = time.monotonic()
        k = 8
        for i in range(3):
            self.rounds(h, k, 2)
            k += 2
            u = self.uplink(h)
            self.assertTrue(u["connected"], "the hall's own broker is up: %r" % u)
            time.sleep(max(0, t0 + 4 * (i + 1) - time.monotonic()))
        self.wait_drained(h, 20)
        self.assertGreaterEqual(time.monotonic() - t0, 12)
        p.city.start()
        p.wait_bridge(30, n_bridge + 1)
        self.rounds(h, k, 2)
        try:
            log, dups = self.assert_every_event(h, sub, 60, ordered=False)
        except AssertionError as e:
            raise AssertionError("%s\n%s" % (e, p.logs()))
        self.assertGreaterEqual(len(log), 300)

    def test_hall_side_outage(self):
        p = self.pair()
        sub = self.subscriber(p.city.port, [EVENTS])
        h = self.new_hall(p.hall_side.url)
        self.wait_connected(h)
        self.rounds(h, 0, 6)
        self.assert_every_event(h, sub, 60)
        before = self.uplink(h)

        # the hall's own broker away: the hall keeps its backlog
        p.hall_side.stop()
        self.wait_uplink(h, lambda u: not u["connected"], "connected false", 10)
        t0 = time.monotonic()
        k = 6
        backlogs = []
        for i in range(3):
            self.rounds(h, k, 2)
            k += 2
            u = self.uplink(h)
            self.assertFalse(u["connected"], u)
            backlogs.append(u["backlog"])
            time.sleep(max(0, t0 + 3.5 * (i + 1) - time.monotonic()))
        self.assertEqual(backlogs, sorted(backlogs), backlogs)
        self.assertGreater(backlogs[-1], 0, backlogs)
        self.assertGreaterEqual(time.monotonic() - t0, 10)
        n_bridge = p.bridge_connections()
        p.hall_side.start()
        p.wait_bridge(30, n_bridge + 1)
        self.wait_connected(h, 20)
        self.rounds(h, k, 2)
        try:
            log, dups = self.assert_every_event(h, sub, 60, ordered=False)
        except AssertionError as e:
            raise AssertionError("%s\n%s" % (e, p.logs()))
        u = self.uplink(h)
        self.assertGreaterEqual(u["reconnects"], before["reconnects"] + 1, u)
