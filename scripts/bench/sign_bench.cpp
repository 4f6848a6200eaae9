// Signed-request throughput (PROTOCOL.md §2): how many requests per second one core can sign
// and verify, canonical string and body hash included. Small (64 B) and 4 KiB bodies.
#include <benchmark/benchmark.h>

#include <string>

#include "client/ed25519.h"
#include "client/signed_request.h"

namespace {

using namespace claw::client;

Bytes Secret() { return *Ed25519SecretFromSeed(Bytes(32, 42)); }

SignRequestInput Input(std::size_t body_size) {
  return SignRequestInput{"POST", "/v1/orders", std::string(body_size, 'x'), "agent-1",
                          std::string("1771725000000"), std::string("abcdefghijklmnopqrstuv")};
}

void BM_SignRequest(benchmark::State& state) {
  const Bytes sk = Secret();
  const SignRequestInput in = Input(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(SignRequest(in, sk));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SignRequest)->Arg(64)->Arg(4096);

void BM_VerifyRequest(benchmark::State& state) {
  const Bytes sk = Secret();
  const Bytes pk(sk.begin() + 32, sk.end());
  const SignRequestInput in = Input(static_cast<std::size_t>(state.range(0)));
  const SignedHeaders h = *SignRequest(in, sk);
  VerifyRequestInput v;
  v.method = in.method;
  v.target = in.target;
  v.body = in.body;
  v.agent_id = h.agent_id;
  v.timestamp = h.timestamp;
  v.nonce = h.nonce;
  v.signature = h.signature;
  v.now_ms = 1771725000000;
  for (auto _ : state) {
    RequestVerdict r = VerifyRequest(v, pk);
    if (!r.ok()) state.SkipWithError("verification failed");
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_VerifyRequest)->Arg(64)->Arg(4096);

}  // namespace

BENCHMARK_MAIN();
