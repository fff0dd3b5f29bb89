"""A bounded soak test of the mbserve binary: mixed Embed, Classify,
EmbedStream and Tokenize clients for --seconds, then one SIGTERM.

  .venv/bin/python bench/soak.py --binary build/server/mbserve --model DIR \
      [--seconds 20] [--clients 8] [--seed 1] [--rss-bound-mib 64]

The model must have a classification head (Classify is part of the mix);
the tiny test classifier (tests/reference/make_tiny_model.py --head cls)
keeps a run short. What the load does, on in-process client threads:
inputs of random lengths (1 to 3,000 words, a quarter of them truncated),
1 to 8 inputs per call, some calls cancelled after a random delay, some with
deadlines of 1 to 100 ms, EmbedStream calls of 1 to 16 messages (some
cancelled mid-stream); meanwhile client processes open calls and streams and
are killed with SIGKILL. What it asserts, failing with exit code 1:

- nothing lost: every call ends within --call-timeout, either OK or with a
  status its client caused or the server documents under load: CANCELLED
  after a cancel, DEADLINE_EXCEEDED with a deadline, RESOURCE_EXHAUSTED
  (overload), INVALID_ARGUMENT only for an input over the maximum input
  length sent without truncation; UNAVAILABLE only after the SIGTERM;
- nothing duplicated: a stream answers each message id at most once, and
  exactly once unless the client cancelled the stream;
- every result equals the same input sent alone, bit for bit: after the
  load, each distinct input seen in an OK answer is sent again in a call of
  its own (embedding, class scores or token ids compared exactly);
- memory: RSS a few seconds after the load is at most the RSS after warm-up
  plus --rss-bound-mib;
- shutdown: calls in flight at the SIGTERM end OK or UNAVAILABLE, and the
  process exits 0.
"""
import argparse
import collections
import os
import random
import signal
import struct
import subprocess
import sys
import threading
import time

import grpc

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "server"))
import bench_record  # noqa: E402
import mbserve_process  # noqa: E402

UNDER_LOAD = {grpc.StatusCode.RESOURCE_EXHAUSTED}
TOO_LONG = "tokens but the maximum input length is"  # server/input_prep.cc

# A client process that the soak kills: it opens an Embed call and a stream
# that never reads, and sends until killed.
KILLED_CLIENT = """
import sys, time, grpc
sys.path[:0] = sys.argv[2].split(":")
from mbserve.v1 import embed_pb2, embed_pb2_grpc
channel = grpc.insecure_channel(sys.argv[1])
stub = embed_pb2_grpc.EmbedServiceStub(channel)
text = (" ".join("killed%d" % i for i in range(2000))).encode()
request = embed_pb2.EmbedRequest(inputs=[embed_pb2.EmbedInput(text=text)] * 4)
def messages():
    n = 0
    while True:
        n += 1
        yield embed_pb2.EmbedStreamRequest(id=str(n), request=request)
stream = stub.EmbedStream(messages())
while True:
    stub.Embed.future(request)
    time.sleep(0.01)
"""


class Soak:

    def __init__(self, server, args):
        from mbserve.v1 import (classify_pb2_grpc, embed_pb2_grpc, tokenize_pb2_grpc)
        self.server = server
        self.args = args
        self.embed = embed_pb2_grpc.EmbedServiceStub(server.channel)
        self.classify = classify_pb2_grpc.ClassifyServiceStub(server.channel)
        self.tokenize = tokenize_pb2_grpc.TokenizeServiceStub(server.channel)
        self.lock = threading.Lock()
        self.failures = []
        self.counts = collections.Counter()
        # (rpc, text, truncate) -> set of results (bytes) seen in OK answers
        self.results = collections.defaultdict(set)
        self.sigterm_sent = False

    def fail(self, message):
        with self.lock:
            self.failures.append(message)

    def record(self, rpc, outcome):
        with self.lock:
            self.counts[f"{rpc} {outcome}"] += 1

    # Requests and their results, one place per RPC.

    def text(self, rng):
        words = int(rng.paretovariate(1.2) * 8) if rng.random() < 0.8 else rng.randint(1, 3000)
        words = max(1, min(words, 3000))
        start = rng.randint(0, 10000)
        return " ".join(f"w{(start + i) % 1000}" for i in range(words)).encode()

    def embed_request(self, texts, truncate):
        from mbserve.v1 import common_pb2, embed_pb2
        return embed_pb2.EmbedRequest(inputs=[embed_pb2.EmbedInput(text=t) for t in texts],
                                      truncation=common_pb2.Truncation(enabled=truncate))

    def classify_request(self, texts, truncate):
        from mbserve.v1 import classify_pb2, common_pb2
        return classify_pb2.ClassifyRequest(
            inputs=[classify_pb2.ClassifyInput(text=t) for t in texts],
            truncation=common_pb2.Truncation(enabled=truncate))

    def tokenize_request(self, texts, truncate):
        from mbserve.v1 import tokenize_pb2
        return tokenize_pb2.TokenizeRequest(texts=texts)

    @staticmethod
    def embed_results(response):
        return [struct.pack(f"{len(e.values)}f", *e.values) for e in response.embeddings]

    @staticmethod
    def classify_results(response):
        return [b"".join(struct.pack("If", s.index, s.score) for s in r.scores)
                for r in response.results]

    @staticmethod
    def tokenize_results(response):
        return [struct.pack(f"{len(r.tokens)}I", *[t.id for t in r.tokens])
                for r in response.results]

    def rpc(self, name):
        return {
            "Embed": (self.embed.Embed, self.embed_request, self.embed_results),
            "Classify": (self.classify.Classify, self.classify_request, self.classify_results),
            "Tokenize": (self.tokenize.Tokenize, self.tokenize_request, self.tokenize_results),
        }[name]

    def keep(self, rpc, texts, truncate, results):
        if len(results) != len(texts):
            self.fail(f"{rpc}: {len(texts)} inputs but {len(results)} results")
            return
        with self.lock:
            for text, result in zip(texts, results):
                self.results[(rpc, text, truncate)].add(result)

    def allowed(self, code, details, cancelled, deadline, truncate):
        if code in UNDER_LOAD:
            return True
        if code == grpc.StatusCode.CANCELLED and cancelled:
            return True
        if code == grpc.StatusCode.DEADLINE_EXCEEDED and deadline:
            return True
        if code == grpc.StatusCode.UNAVAILABLE and self.sigterm_sent:
            return True
        # An input longer than the maximum, sent without truncation.
        return (code == grpc.StatusCode.INVALID_ARGUMENT and not truncate and
                TOO_LONG in details)

    # The load.

    def unary(self, rng, name):
        method, make_request, results_of = self.rpc(name)
        texts = [self.text(rng) for _ in range(rng.randint(1, 8))]
        truncate = rng.random() < 0.25
        deadline = rng.uniform(0.001, 0.1) if rng.random() < 0.1 else None
        cancel_after = rng.uniform(0, 0.05) if rng.random() < 0.1 else None
        future = method.future(make_request(texts, truncate),
                               timeout=deadline or self.args.call_timeout)
        if cancel_after is not None:
            time.sleep(cancel_after)
            future.cancel()
        try:
            response = future.result(timeout=self.args.call_timeout + 5)
        except grpc.FutureTimeoutError:
            self.fail(f"{name}: no answer within {self.args.call_timeout + 5} s (lost)")
            return
        except grpc.FutureCancelledError:
            self.record(name, "CANCELLED")
            return
        except grpc.RpcError as error:
            self.record(name, error.code().name)
            if not self.allowed(error.code(), error.details() or "", cancel_after is not None,
                                deadline is not None, truncate):
                self.fail(f"{name}: {error.code().name} {error.details()}")
            return
        self.record(name, "OK")
        self.keep(name, texts, truncate, results_of(response))

    def stream(self, rng):
        from mbserve.v1 import embed_pb2
        count = rng.randint(1, 16)
        sent = {}
        for n in range(count):
            texts = [self.text(rng) for _ in range(rng.randint(1, 4))]
            sent[f"{threading.get_ident()}-{n}"] = (texts, rng.random() < 0.25)
        cancel_after = rng.uniform(0, 0.1) if rng.random() < 0.15 else None
        messages = [embed_pb2.EmbedStreamRequest(id=i, request=self.embed_request(t, tr))
                    for i, (t, tr) in sent.items()]
        call = self.embed.EmbedStream(iter(messages), timeout=self.args.call_timeout)
        if cancel_after is not None:
            threading.Timer(cancel_after, call.cancel).start()
        answered = collections.Counter()
        try:
            for response in call:
                answered[response.id] += 1
                if response.id not in sent:
                    self.fail(f"EmbedStream: an answer for id {response.id!r} never sent")
                    continue
                texts, truncate = sent[response.id]
                if response.HasField("response"):
                    self.keep("Embed", texts, truncate, self.embed_results(response.response))
                elif not ((response.error.code == 3 and not truncate and  # INVALID_ARGUMENT
                           TOO_LONG in response.error.message) or
                          response.error.code == 8):  # RESOURCE_EXHAUSTED
                    self.fail(f"EmbedStream {response.id}: error {response.error}")
            outcome = "OK"
        except grpc.RpcError as error:
            outcome = error.code().name
            if not self.allowed(error.code(), error.details() or "", cancel_after is not None,
                                False, False):
                self.fail(f"EmbedStream: {error.code().name} {error.details()}")
        self.record("EmbedStream", outcome)
        duplicated = [i for i, n in answered.items() if n > 1]
        if duplicated:
            self.fail(f"EmbedStream: ids answered more than once: {duplicated[:5]}")
        if outcome == "OK":
            missing = set(sent) - set(answered)
            if missing:
                self.fail(f"EmbedStream ended OK without answering {len(missing)} ids (lost)")

    def client(self, seed, until):
        rng = random.Random(seed)
        while time.time() < until:
            kind = rng.choice(["Embed", "Embed", "Classify", "Tokenize", "stream"])
            try:
                if kind == "stream":
                    self.stream(rng)
                else:
                    self.unary(rng, kind)
            except Exception as error:  # a client bug must fail the soak, not hang it
                self.fail(f"{kind}: {type(error).__name__}: {error}")

    def killed_clients(self, until, stubs_path):
        killed = 0
        while time.time() < until:
            process = subprocess.Popen(
                [sys.executable, "-c", KILLED_CLIENT, self.server.address, stubs_path],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(random.uniform(0.5, 2.0))
            process.send_signal(signal.SIGKILL)
            process.wait()
            killed += 1
        with self.lock:
            self.counts["client processes killed"] = killed

    def load(self, seconds):
        until = time.time() + seconds
        stubs_path = ":".join(p for p in sys.path if "mbserve_stubs_" in p)
        threads = [threading.Thread(target=self.client, args=(self.args.seed * 1000 + c, until))
                   for c in range(self.args.clients)]
        threads.append(threading.Thread(target=self.killed_clients, args=(until, stubs_path)))
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(seconds + self.args.call_timeout + 30)
            if thread.is_alive():
                self.fail("a client thread did not finish (a call was lost)")

    # After the load.

    def check_alone(self):
        """Each distinct input of an OK answer, sent alone: the same bits."""
        with self.lock:
            items = list(self.results.items())
        checked = 0
        for (rpc, text, truncate), seen in items:
            if len(seen) != 1:
                self.fail(f"{rpc}: {len(seen)} different results for one input")
                continue
            method, make_request, results_of = self.rpc(rpc)
            alone = results_of(method(make_request([text], truncate), timeout=60))
            if alone != list(seen):
                self.fail(f"{rpc}: a result differs from the same input sent alone "
                          f"({len(text)} bytes, truncate={truncate})")
            checked += 1
        return checked

    def shutdown_under_load(self):
        """A wave of calls, SIGTERM while they are in flight: each ends OK or
        UNAVAILABLE, and the process exits 0."""
        rng = random.Random(self.args.seed)
        futures = []
        for _ in range(32):
            texts = [self.text(rng) for _ in range(4)]
            futures.append(self.embed.Embed.future(self.embed_request(texts, True), timeout=60))
        time.sleep(0.05)
        self.sigterm_sent = True
        self.server.process.send_signal(signal.SIGTERM)
        outcomes = collections.Counter()
        for future in futures:
            try:
                future.result(timeout=60)
                outcomes["OK"] += 1
            except grpc.FutureTimeoutError:
                self.fail("a call in flight at the SIGTERM got no answer (lost)")
            except grpc.RpcError as error:
                outcomes[error.code().name] += 1
                if error.code() != grpc.StatusCode.UNAVAILABLE:
                    self.fail(f"in flight at the SIGTERM: {error.code().name} {error.details()}")
        code = self.server.process.wait(timeout=60)
        if code != 0:
            self.fail(f"the server exited {code} after SIGTERM")
        return outcomes, code


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", required=True)
    parser.add_argument("--model", required=True, help="a model folder with a classifier head")
    parser.add_argument("--seconds", type=float, default=20, help="length of the load phase")
    parser.add_argument("--clients", type=int, default=8, help="client threads")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--call-timeout", type=float, default=120)
    parser.add_argument("--rss-bound-mib", type=float, default=64,
                        help="RSS after the load may exceed RSS after warm-up by this much")
    args = parser.parse_args()
    mbserve_process.generate_stubs()
    server = mbserve_process.MbserveProcess(args.binary, args.model, "--num-threads=2",
                                            "--max-concurrent-requests=64")
    try:
        soak = Soak(server, args)
        time.sleep(2)
        rss_start = bench_record.rss_mib(server.process.pid)
        started = time.time()
        soak.load(args.seconds)
        loaded = time.time() - started
        peak_note = bench_record.rss_mib(server.process.pid)
        time.sleep(3)
        rss_end = bench_record.rss_mib(server.process.pid)
        checked = soak.check_alone()
        outcomes, code = soak.shutdown_under_load()
        print(f"load: {args.clients} client threads for {loaded:.1f} s (seed {args.seed})")
        for key in sorted(soak.counts):
            print(f"  {key}: {soak.counts[key]}")
        print(f"results checked against the same input alone: {checked} distinct inputs")
        print(f"RSS: {rss_start:.1f} MiB after warm-up, {peak_note:.1f} MiB when the load ended, "
              f"{rss_end:.1f} MiB 3 s later (bound: {rss_start:.1f} + {args.rss_bound_mib:.0f})")
        if rss_end > rss_start + args.rss_bound_mib:
            soak.fail(f"RSS {rss_end:.1f} MiB after the load is above "
                      f"{rss_start:.1f} + {args.rss_bound_mib:.0f} MiB")
        print(f"SIGTERM with 32 calls in flight: {dict(outcomes)}, exit code {code}")
        if soak.failures:
            print(f"FAILED: {len(soak.failures)} problems")
            for failure in soak.failures[:50]:
                print(f"  {failure}")
            return 1
        print("PASSED")
        return 0
    finally:
        server.close()


if __name__ == "__main__":
    sys.exit(main())
