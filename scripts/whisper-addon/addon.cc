// Tarjuman's build of the smart-whisper addon: smart-whisper's own binding (model load/free, transcribe)
// plus `systemInfo()`, whisper.cpp's report of the instruction sets this binary was compiled with, so the
// engine can show (and the tests can check) that the fast AVX2/FMA/F16C path is the one running.
#include <napi.h>

#include "common.h"
#include "model.h"
#include "transcribe.h"
#include "whisper.h"

static Napi::Value SystemInfo(const Napi::CallbackInfo &info) {
    return Napi::String::New(info.Env(), whisper_print_system_info());
}

// whisper.cpp logs every load and pass to stderr; the worker keeps stderr for its own diagnostics.
static Napi::Value SetLogging(const Napi::CallbackInfo &info) {
    bool enabled = info.Length() > 0 && info[0].ToBoolean().Value();
    if (enabled) {
        whisper_log_set(nullptr, nullptr);
    } else {
        whisper_log_set([](ggml_log_level, const char *, void *) {}, nullptr);
    }
    return info.Env().Undefined();
}

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
    exports.Set("transcribe", Napi::Function::New(env, Transcribe));
    exports.Set("systemInfo", Napi::Function::New(env, SystemInfo));
    exports.Set("setLogging", Napi::Function::New(env, SetLogging));
    WhisperModel::Init(env, exports);
    whisper_log_set([](ggml_log_level, const char *, void *) {}, nullptr);
    return exports;
}

NODE_API_MODULE(tarjuman_whisper, Init)
