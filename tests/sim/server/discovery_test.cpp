// Discovery documents (sim/server/discovery.h) cover every route of a router.
#include "sim/server/discovery.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

namespace claw::server {
namespace {

Route MakeRoute(std::string method, std::string pattern, AuthKind auth, std::string rate_class,
                std::string summary) {
  Route r;
  r.method = std::move(method);
  r.pattern = std::move(pattern);
  r.auth = auth;
  r.rate_class = std::move(rate_class);
  r.summary = std::move(summary);
  return r;
}

Router SampleRouter() {
  Router r;
  Route reg = MakeRoute("POST", "/v1/agents/register", AuthKind::kRegistration, "register",
                        "Register an agent");
  reg.request_example = R"({"name":"alice","description":"d","public_key":"..."})";
  reg.response_example = R"({"agent_id":"uuid","status":"pending_claim"})";
  r.Add(reg);
  Route one = MakeRoute("GET", "/v1/orders/{id}", AuthKind::kSigned, "read", "One order");
  one.description = "Returns the order with fills.";
  r.Add(one);
  r.Add(MakeRoute("DELETE", "/v1/orders/{id}", AuthKind::kSigned, "orders", "Cancel an order"));
  r.Add(MakeRoute("GET", "/v1/agents/{name}/commitments", AuthKind::kNone, "", "Commitments"));
  r.Add(MakeRoute("POST", "/v1/owner/limits", AuthKind::kOwner, "", "Set limits"));
  Route skill = MakeRoute("GET", "/skill.md", AuthKind::kNone, "", "This guide");
  skill.response_example = "# not json";
  skill.content_type = "text/markdown; charset=utf-8";
  r.Add(skill);
  return r;
}

const DiscoveryInfo kInfo{"claw-arena", "1.2.3", "http://127.0.0.1:8080/"};

}  // namespace

TEST_CASE("openapi.json declares every route, its path params and security", "[sim][server]") {
  Router router = SampleRouter();
  auto doc = nlohmann::json::parse(OpenApiJson(router, kInfo), nullptr, false);
  REQUIRE(doc.is_object());
  CHECK(doc["openapi"] == "3.1.0");
  CHECK(doc["info"]["title"] == "claw-arena");
  CHECK(doc["info"]["version"] == "1.2.3");
  CHECK(doc["servers"][0]["url"] == "http://127.0.0.1:8080");
  for (const Route& r : router.routes()) {
    std::string method = r.method;
    for (char& c : method) c = static_cast<char>(std::tolower(c));
    INFO(r.method << " " << r.pattern);
    REQUIRE(doc["paths"].contains(r.pattern));
    REQUIRE(doc["paths"][r.pattern].contains(method));
    CHECK(doc["paths"][r.pattern][method]["summary"] == r.summary);
    CHECK(doc["paths"][r.pattern][method]["operationId"] == OperationId(r));
  }
  auto get = doc["paths"]["/v1/agents/{name}/commitments"]["get"];
  REQUIRE(get["parameters"].size() == 1);
  CHECK(get["parameters"][0] ==
        nlohmann::json::parse(
            R"({"name":"name","in":"path","required":true,"schema":{"type":"string"}})"));
  CHECK(get["security"] == nlohmann::json::array());

  auto signed_op = doc["paths"]["/v1/orders/{id}"]["delete"];
  CHECK(signed_op["security"] ==
        nlohmann::json::parse(R"([{"AgentId":[],"Timestamp":[],"Nonce":[],"Signature":[]},{"DPoP":[],"DPoPProof":[]}])"));
  CHECK(signed_op["responses"]["429"]["$ref"] == "#/components/responses/RateLimited");
  auto reg = doc["paths"]["/v1/agents/register"]["post"];
  CHECK(reg["security"] == nlohmann::json::parse(R"([{"Timestamp":[],"Nonce":[],"Signature":[]}])"));
  CHECK(reg["requestBody"]["content"]["application/json"]["example"]["name"] == "alice");

  auto schemes = doc["components"]["securitySchemes"];
  for (const char* h : {"X-Agent-Id", "X-Timestamp", "X-Nonce", "X-Signature"}) {
    bool found = false;
    for (auto& [name, s] : schemes.items()) {
      found = found || (s["type"] == "apiKey" && s["in"] == "header" && s["name"] == h);
    }
    CHECK(found);
  }
  CHECK(doc["paths"]["/skill.md"]["get"]["responses"]["2XX"]["content"].contains(
      "text/markdown; charset=utf-8"));
}

TEST_CASE("skill.md explains signing and lists every route", "[sim][server]") {
  Router router = SampleRouter();
  std::string md = SkillMarkdown(router, kInfo);
  CHECK(md.rfind("# claw-arena API\n", 0) == 0);
  CHECK(md.find("CLAW-SIG-V1\n<METHOD upper-case>\n") != std::string::npos);
  CHECK(md.find("X-Signature") != std::string::npos);
  CHECK(md.find("Register: `POST /v1/agents/register`") != std::string::npos);
  for (const Route& r : router.routes()) {
    INFO(r.method << " " << r.pattern);
    CHECK(md.find("### `" + r.method + " " + r.pattern + "`\n\n" + r.summary) !=
          std::string::npos);
  }
  CHECK(md.find("Returns the order with fills.") != std::string::npos);
  CHECK(md.find("curl -X GET 'http://127.0.0.1:8080/v1/orders/{id}'") != std::string::npos);
  CHECK(md.find("- Auth: `signed`") != std::string::npos);
  CHECK(md.find("- Auth: `owner`") != std::string::npos);
  CHECK(md.find("- Path parameters: `name`") != std::string::npos);
}

TEST_CASE("skill.json is machine-readable and lists every route", "[sim][server]") {
  Router router = SampleRouter();
  auto doc = nlohmann::json::parse(SkillJson(router, kInfo), nullptr, false);
  REQUIRE(doc.is_object());
  CHECK(doc["name"] == "claw-arena");
  CHECK(doc["version"] == "1.2.3");
  CHECK(doc["base_url"] == "http://127.0.0.1:8080");
  CHECK(doc["auth"]["canonical_string"][0] == "CLAW-SIG-V1");
  REQUIRE(doc["endpoints"].size() == router.routes().size());
  for (std::size_t i = 0; i < router.routes().size(); ++i) {
    const Route& r = router.routes()[i];
    const auto& e = doc["endpoints"][i];
    CHECK(e["method"] == r.method);
    CHECK(e["path"] == r.pattern);
    CHECK(e["summary"] == r.summary);
    CHECK(e["name"] == OperationId(r));
  }
  CHECK(doc["endpoints"][0]["auth"] == "registration");
  CHECK(doc["endpoints"][0]["response_example"]["status"] == "pending_claim");
  CHECK(doc["endpoints"][1]["path_params"] == nlohmann::json({"id"}));
  CHECK(doc["endpoints"][5]["response_example"] == "# not json");
}

TEST_CASE("operation ids are derived from method and path", "[sim][server]") {
  auto id = [](const char* method, const char* pattern) {
    return OperationId(MakeRoute(method, pattern, AuthKind::kNone, "", ""));
  };
  CHECK(id("GET", "/v1/orders/{id}") == "get_v1_orders_id");
  CHECK(id("POST", "/v1/commitments/{id}/reveal") == "post_v1_commitments_id_reveal");
  CHECK(id("GET", "/skill.md") == "get_skill_md");
  CHECK(id("GET", "/") == "get");
}

}  // namespace claw::server
