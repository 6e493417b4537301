// One reusable whisper_state per loaded model, for Tarjuman's build of the smart-whisper addon.
//
// smart-whisper 0.8.1 creates and frees a whisper_state for every transcribe call. whisper_init_state builds
// the backends, allocates the KV caches and reserves the compute buffers by building every graph once; then the
// pass touches all that fresh memory again (page faults). For a streaming pipeline that decodes every second,
// that is paid on every pass. whisper.cpp's own whisper_full() keeps one state per context and reuses it; this
// does the same for the binding: a pass takes the model's idle state (or makes one if another pass holds it) and
// gives it back when its result has been read. The cached state is freed with the model.
#ifndef TARJUMAN_STATE_CACHE_H
#define TARJUMAN_STATE_CACHE_H

#include <cstdlib>
#include <cstring>
#include <mutex>
#include <unordered_map>
#include <unordered_set>

#include "whisper.h"

namespace tarjuman {

struct StateCache {
    std::mutex                                           mutex;
    std::unordered_set<whisper_context *>                live;
    std::unordered_map<whisper_context *, whisper_state *> idle;
};

// Flash attention only when TARJUMAN_WHISPER_FLASH_ATTN=1: measured slower on the CPU for the 2024 engine; the
// switch is there so a newer ggml's CPU kernels can be compared in the same build.
inline bool flash_attn_requested() {
    const char *v = std::getenv("TARJUMAN_WHISPER_FLASH_ATTN");
    return v != nullptr && std::strcmp(v, "1") == 0;
}

inline StateCache &state_cache() {
    static StateCache cache;
    return cache;
}

/** Marks a freshly loaded context as live (its states may be cached). */
inline void state_cache_add(whisper_context *context) {
    StateCache                 &cache = state_cache();
    std::lock_guard<std::mutex> lock(cache.mutex);
    cache.live.insert(context);
}

/** The context's idle state, or a new one when it has none (or another pass holds it). */
inline whisper_state *state_cache_take(whisper_context *context) {
    StateCache &cache = state_cache();
    {
        std::lock_guard<std::mutex> lock(cache.mutex);
        auto                        it = cache.idle.find(context);
        if (it != cache.idle.end()) {
            whisper_state *state = it->second;
            cache.idle.erase(it);
            return state;
        }
    }
    return whisper_init_state(context);
}

/** Returns a state after its pass; freed instead when the slot is taken or the model is gone. */
inline void state_cache_give(whisper_context *context, whisper_state *state) {
    if (state == nullptr) return;
    StateCache &cache = state_cache();
    {
        std::lock_guard<std::mutex> lock(cache.mutex);
        if (cache.live.count(context) != 0 && cache.idle.count(context) == 0) {
            cache.idle.emplace(context, state);
            return;
        }
    }
    whisper_free_state(state);
}

/** Frees the context's cached state, then the context. */
inline void state_cache_free_context(whisper_context *context) {
    whisper_state *state = nullptr;
    {
        StateCache                 &cache = state_cache();
        std::lock_guard<std::mutex> lock(cache.mutex);
        cache.live.erase(context);
        auto it = cache.idle.find(context);
        if (it != cache.idle.end()) {
            state = it->second;
            cache.idle.erase(it);
        }
    }
    if (state != nullptr) whisper_free_state(state);
    whisper_free(context);
}

}  // namespace tarjuman

#endif
