// The floor for a call into native code: a node-addon-api function that does nothing.
// Every native-backend operation pays at least this much; the bench measures it as `floor.call`.
#include <napi.h>

static Napi::Value Noop(const Napi::CallbackInfo& info) { return info.Env().Undefined(); }

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("noop", Napi::Function::New(env, Noop, "noop"));
  return exports;
}

NODE_API_MODULE(floor, Init)
