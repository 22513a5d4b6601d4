// The floor for a call into native code: a node-addon-api function that does nothing.
// Every native-backend operation pays at least this much; the bench measures it as `floor.call`.
#include <napi.h>

static Napi::Value Noop(const Napi::CallbackInfo& info) { return info.Env().Undefined(); }

// The same empty call through the raw N-API C callback (no CallbackInfo wrapper), the cheapest way in.
static napi_value RawNoop(napi_env, napi_callback_info) { return nullptr; }

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("noop", Napi::Function::New(env, Noop, "noop"));
  napi_value raw;
  if (napi_create_function(env, "rawNoop", NAPI_AUTO_LENGTH, RawNoop, nullptr, &raw) == napi_ok) {
    exports.Set("rawNoop", Napi::Value(env, raw));
  }
  return exports;
}

NODE_API_MODULE(floor, Init)
