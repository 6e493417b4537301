// The source files Tarjuman compiles from its own patched copies instead of smart-whisper 0.8.1's tree (which
// vendors whisper.cpp of autumn 2024). Each patch is an exact text replacement; if the text is not found (a new
// smart-whisper), the build stops with the patch that no longer applies instead of compiling something else.
//
// Why each one (measured on the base-dims generated model, 5 s buffer, audio_ctx 300, 2 threads, AMD EPYC 2 vCPU):
// - model.cc: three bugs. It passes whisper_context_params uninitialised (only use_gpu set: flash_attn and dtw_*
//   are stack garbage, so a load could randomly turn on CPU flash attention, which is slower here), calls
//   whisper_print_timings() on the NULL context of a failed load (a segfault), and never settles the load promise
//   on failure (no OnError).
// - model.cc + transcribe.cc: one whisper_state per model instead of one per pass (state-cache.h says why), and
//   every pass on one thread (whisper-thread.h says why).
// - whisper.cpp: the encoder graph reshaped so every large matrix product is one ggml's BLAS backend takes
//   (contiguous, F32 right-hand side): the two convolutions (ggml_conv_1d builds an F16 im2col, which only ggml's
//   row-by-row dot product multiplies) and the attention's K x Q (both operands were permuted views). Same
//   arithmetic; those intermediate values stay F32 instead of F16.
// - whisper.cpp: the decoder computes the logits of the prompt's last token only (upstream multiplies every prompt
//   token by the 51,865-row embedding and keeps one row). Measured on the small-dims model, 5 s buffer, a 189-char
//   prompt (about 45 tokens), 1 thread, min of 7, paired: 1.77-1.83 s of CPU per pass before, 1.43-1.54 s after;
//   the streaming policy over 60 s (2 threads, idle): RTF 0.571 before, 0.531 after. The output is identical
//   (text and token probabilities compared on three passes with and without a prompt).
// - whisper.cpp + transcribe.cc: draft verification (DRAFT_* below): the streaming pipeline's previous pass over the
//   same buffer start is checked in one decoder batch instead of decoded again token by token. Measured with
//   `bench/engine-ab.ts --draft N` (2 threads, a 190-character prompt, 9 alternated pairs, median of the ratios):
//   small dims, 5 s buffer, 15 tokens of which the draft held 10: 0.87 (1100 -> 924 ms); 3 s, 8 tokens, 5 held: 0.85;
//   base dims, 5 s, 15 tokens, 10 held: 0.84 (367 -> 308 ms). Same output, tested.
// - ggml-blas.cpp: the BLAS backend converts an F16 or quantized weight matrix to F32 on every product of every
//   pass. Weights never change: the F32 copy is kept (bounded by TARJUMAN_WHISPER_F32_CACHE_MB, default 512; past
//   the bound, converted per product as before).
// - ggml-backend.c: transparent huge pages (madvise) for ggml's CPU buffers of 4 MB and more. The decoder reads
//   every weight once per token, so it is bound by memory bandwidth; 4 KB pages cost TLB misses on that stream
//   (measured: a 1 s pass, which is mostly decoding, about 5% faster; a plain read of 256 MB: 10.4 to 12.6 GB/s on
//   one core).

import { readFileSync } from 'node:fs';
import path from 'node:path';

/** @typedef {[from: string, to: string]} Patch */

/** @type {Record<string, Patch[]>} keyed by path inside smart-whisper's package: its binding */
const BINDING_PATCHES = {
  'src/binding/model.cc': [
    ['#include "model.h"\n', '#include "model.h"\n#include "state-cache.h"\n'],
    [
      '    whisper_context_params params;\n    params.use_gpu',
      '    whisper_context_params params = whisper_context_default_params();\n' +
        '    params.flash_attn = tarjuman::flash_attn_requested();\n    params.use_gpu',
    ],
    ['        whisper_print_timings(context);', '        if (context != nullptr) tarjuman::state_cache_add(context);'],
    [
      '   private:\n    std::string                   model_path;',
      '    void OnError(const Napi::Error &e) override { promise.Reject(e.Value()); }\n\n' +
        '   private:\n    std::string                   model_path;',
    ],
    [
      'void Execute() override { whisper_free(context); }',
      'void Execute() override { tarjuman::state_cache_free_context(context); }',
    ],
    [
      '        whisper_free(context);\n        context = nullptr;',
      '        tarjuman::state_cache_free_context(context);\n        context = nullptr;',
    ],
  ],
  'src/binding/transcribe.cc': [
    ['#include "transcribe.h"\n', '#include "transcribe.h"\n#include "state-cache.h"\n#include "whisper-thread.h"\n'],
    [
      '        int err = whisper_full_with_state(context, state, params, samples, n_samples);',
      '        int err = 0;\n' +
        '        tarjuman::WhisperThread::get().run(\n' +
        '            [&] { err = whisper_full_with_state(context, state, params, samples, n_samples); });',
    ],
    ['state = whisper_init_state(context);', 'state = tarjuman::state_cache_take(context);'],
    ['            whisper_free_state(state);', '            tarjuman::state_cache_give(context, state);'],
  ],
};

/** The conv patch: the same for both engines (ggml_im2col kept its signature). */
const CONV_PATCHES = [
  [
    'static struct ggml_cgraph * whisper_build_graph_conv(',
    [
      '// Tarjuman: ggml_conv_1d_ph as an F32 im2col and one matrix product with the kernel on the left (see',
      "// scripts/whisper-addon/patches.mjs), transposed back to [length, channels] as ggml_conv_1d_ph returns it.",
      'static struct ggml_tensor * tarjuman_conv_1d_ph(struct ggml_context * ctx, struct ggml_tensor * a, struct ggml_tensor * b, int s) {',
      '    struct ggml_tensor * im2col = ggml_im2col(ctx, a, b, s, 0, a->ne[0] / 2, 0, 1, 0, false, GGML_TYPE_F32);',
      '    struct ggml_tensor * out = ggml_mul_mat(ctx,',
      '            ggml_reshape_2d(ctx, a, a->ne[0] * a->ne[1], a->ne[2]),',
      '            ggml_reshape_2d(ctx, im2col, im2col->ne[0], im2col->ne[2] * im2col->ne[1]));',
      '    return ggml_cont(ctx, ggml_transpose(ctx, out));',
      '}',
      '',
      'static struct ggml_cgraph * whisper_build_graph_conv(',
    ].join('\n'),
  ],
  ['cur = ggml_conv_1d_ph(ctx0, model.e_conv_1_w, mel, 1, 1);', 'cur = tarjuman_conv_1d_ph(ctx0, model.e_conv_1_w, mel, 1);'],
  ['cur = ggml_conv_1d_ph(ctx0, model.e_conv_2_w, cur, 2, 1);', 'cur = tarjuman_conv_1d_ph(ctx0, model.e_conv_2_w, cur, 2);'],
  [
    '                        0, 2, 1, 3);\n\n            if (wctx.params.flash_attn) {',
    '                        0, 2, 1, 3);\n' +
      '            if (!wctx.params.flash_attn) Q = ggml_cont(ctx0, Q); // Tarjuman: contiguous for BLAS\n\n' +
      '            if (wctx.params.flash_attn) {',
  ],
];

/** The encoder's K, contiguous and F32 so BLAS takes K x Q (replaces a permuted view of an F16 copy). */
const CONTIGUOUS_K = [
  '                struct ggml_tensor * K = // Tarjuman: contiguous F32 for BLAS',
  '                    ggml_cont(ctx0, ggml_permute(ctx0,',
  '                            ggml_reshape_3d(ctx0, Kcur, n_state_head, n_head, n_ctx),',
  '                            0, 2, 1, 3));',
  '',
  '                // K * Q',
].join('\n');

/**
 * The decoder computes the logits of a batch's last token only when the batch asks for no other (the prompt: the
 * committed text and glossary, 20-60 tokens, of which whisper.cpp samples after the last one only). Upstream keeps
 * the view commented out and multiplies every prompt token by the 51,865-row embedding, then throws all but one row
 * away.
 */
const LAST_LOGITS_ONLY = [
  [
    '    //cur = ggml_view_2d(ctx0, cur, cur->ne[0], 1, cur->nb[1], (cur->ne[1] - 1)*cur->nb[1]);',
    [
      '    // Tarjuman: only the last token\'s logits when the batch wants no other (see patches.mjs).',
      '    bool tarjuman_last_only = !worst_case && n_tokens > 1 && batch.logits[n_tokens - 1] != 0;',
      '    for (int i = 0; tarjuman_last_only && i < n_tokens - 1; i++) tarjuman_last_only = batch.logits[i] == 0;',
      '    if (tarjuman_last_only) {',
      '        cur = ggml_view_2d(ctx0, cur, cur->ne[0], 1, cur->nb[1], (cur->ne[1] - 1)*cur->nb[1]);',
      '    }',
    ].join('\n'),
  ],
  [
    '        ggml_backend_tensor_get(logits, logits_out.data() + (n_vocab*i), sizeof(float)*(n_vocab*i), sizeof(float)*n_vocab);',
    '        ggml_backend_tensor_get(logits, logits_out.data() + (n_vocab*i), logits->ne[1] == 1 ? 0 : sizeof(float)*(n_vocab*i), sizeof(float)*n_vocab);',
  ],
];

/**
 * Draft verification in the decoder (greedy, temperature 0, one decoder): the caller hands over the tokens it
 * expects this pass to decode (the streaming policy's previous pass over the same buffer start, which LocalAgreement
 * needs to see again anyway). Once the sampled token equals the draft's, the rest of the draft goes through the
 * decoder in one batch, as the prompt does, and every following step whose sampled token still equals the draft's
 * reads its logits from that batch instead of decoding one token. At the first token that differs, the KV cache
 * cells of the rejected draft tokens are removed and decoding goes on one token at a time. Sampling is untouched, so
 * the output is the one whisper.cpp decodes without a draft (tokens and probabilities; tested).
 * `TARJUMAN_WHISPER_DRAFT_FORCE=1` (benchmarks only: the generated models' random weights never agree with a draft)
 * takes the draft's token instead of the sampled one, so the cost of a pass with an accepted draft can be timed.
 */
const DRAFT_STATE = [
  'struct whisper_state {\n',
  'struct whisper_state {\n' +
    '    std::vector<whisper_token> tarjuman_draft; // Tarjuman: see tarjuman_whisper_set_draft\n' +
    '    int tarjuman_draft_accepted = 0;\n',
];

const DRAFT_API = [
  'int whisper_full_with_state(\n',
  [
    '// Tarjuman: the tokens the next pass on this state is expected to decode (scripts/whisper-addon/patches.mjs).',
    'void tarjuman_whisper_set_draft(struct whisper_state * state, const whisper_token * tokens, int n_tokens) {',
    '    state->tarjuman_draft.assign(tokens, tokens + n_tokens);',
    '}',
    '',
    '// Tarjuman: the draft tokens of the last pass whose logits came from a draft batch instead of a decode.',
    'int tarjuman_whisper_draft_accepted(const struct whisper_state * state) {',
    '    return state->tarjuman_draft_accepted;',
    '}',
    '',
    'static bool tarjuman_draft_force() {',
    '    static const bool force = [] {',
    '        const char * v = std::getenv("TARJUMAN_WHISPER_DRAFT_FORCE");',
    "        return v != nullptr && v[0] == '1';",
    '    }();',
    '    return force;',
    '}',
    '',
    'int whisper_full_with_state(\n',
  ].join('\n'),
];

const DRAFT_SETUP = [
  '            for (int i = 0, n_max = whisper_n_text_ctx(ctx)/2 - 4; i < n_max; ++i) {\n',
  [
    '            // Tarjuman: draft verification (see scripts/whisper-addon/patches.mjs).',
    '            const std::vector<whisper_token> & tj_draft = state->tarjuman_draft;',
    '            bool tj_follow = !tj_draft.empty() && n_decoders_cur == 1 && t_cur < 1e-6f && seek == seek_start &&',
    '                    params.strategy == whisper_sampling_strategy::WHISPER_SAMPLING_GREEDY;',
    '            int tj_pos0 = 0; // the position of the draft batch\'s first token',
    '            int tj_rows = 0; // its tokens (rows of state->logits)',
    '            state->tarjuman_draft_accepted = 0;',
    '',
    '            for (int i = 0, n_max = whisper_n_text_ctx(ctx)/2 - 4; i < n_max; ++i) {\n',
  ].join('\n'),
];

const DRAFT_STEP = [
  '                // obtain logits for the next token\n                {\n',
  [
    '                // Tarjuman: the logits from the draft batch, or a new draft batch (see patches.mjs)',
    '                bool tj_done = false;',
    '                if (tj_follow) {',
    '                    auto & decoder = state->decoders[0];',
    '                    const int n_past = prompt.size() + i;',
    '                    if (tarjuman_draft_force() && i < (int) tj_draft.size()) decoder.sequence.tokens.back().id = tj_draft[i];',
    '                    const whisper_token tok = decoder.sequence.tokens.back().id;',
    '                    if (i >= (int) tj_draft.size() || tj_draft[i] != tok) {',
    '                        tj_follow = false;',
    '                        if (tj_rows > 0) whisper_kv_cache_seq_rm(state->kv_self, 0, n_past, -1);',
    '                        tj_rows = 0;',
    '                    } else if (tj_rows > 0 && n_past - tj_pos0 < tj_rows) {',
    '                        decoder.i_batch = n_past - tj_pos0;',
    '                        state->tarjuman_draft_accepted++;',
    '                        tj_done = true;',
    '                    } else {',
    '                        auto & batch = state->batch;',
    '                        // the draft\'s rest, within the context, and no row past the last one sampled (max_tokens)',
    '                        const int n = std::min({ (int) tj_draft.size() - i, whisper_n_text_ctx(ctx) - n_past, 64,',
    '                                params.max_tokens > 0 ? std::max(1, params.max_tokens - i) : 64 });',
    '                        batch.n_tokens = 0;',
    '                        for (int k = 0; k < n; ++k) {',
    '                            batch.token   [k]    = tj_draft[i + k];',
    '                            batch.pos     [k]    = n_past + k;',
    '                            batch.n_seq_id[k]    = 1;',
    '                            batch.seq_id  [k][0] = 0;',
    '                            batch.logits  [k]    = 1;',
    '                            batch.n_tokens++;',
    '                        }',
    '                        if (!whisper_decode_internal(*ctx, *state, state->batch, params.n_threads, false, params.abort_callback, params.abort_callback_user_data)) {',
    '                            WHISPER_LOG_ERROR("%s: failed to decode\\n", __func__);',
    '                            return -8;',
    '                        }',
    '                        tj_pos0 = n_past;',
    '                        tj_rows = n;',
    '                        decoder.i_batch = 0;',
    '                        tj_done = true;',
    '                    }',
    '                }',
    '                if (tj_done) {',
    '                    const int64_t t_start_sample_us = ggml_time_us();',
    '                    whisper_process_logits(*ctx, *state, state->decoders[0], params, t_cur);',
    '                    state->t_sample_us += ggml_time_us() - t_start_sample_us;',
    '                } else',
    '                // obtain logits for the next token\n                {\n',
  ].join('\n'),
];

/** The binding hands the draft (the `tarjuman_draft` token ids) to the state and reports what was accepted. */
const DRAFT_BINDING = [
  [
    'struct smart_whisper_transcribe_params {\n    const char* format;\n};\n',
    'struct smart_whisper_transcribe_params {\n    const char* format;\n' +
      '    std::vector<whisper_token> tarjuman_draft; // Tarjuman: see scripts/whisper-addon/patches.mjs\n};\n\n' +
      'void tarjuman_whisper_set_draft(struct whisper_state * state, const whisper_token * tokens, int n_tokens);\n' +
      'int tarjuman_whisper_draft_accepted(const struct whisper_state * state);\n',
  ],
  [
    '        params.format = strdup("simple");\n    }\n',
    '        params.format = strdup("simple");\n    }\n' +
      '    if (o.Has("tarjuman_draft") && o.Get("tarjuman_draft").IsArray()) {\n' +
      '        Napi::Array draft = o.Get("tarjuman_draft").As<Napi::Array>();\n' +
      '        for (uint32_t i = 0; i < draft.Length(); i++) {\n' +
      '            params.tarjuman_draft.push_back(draft.Get(i).As<Napi::Number>().Int32Value());\n' +
      '        }\n' +
      '    }\n',
  ],
  [
    '        int err = 0;\n',
    '        tarjuman_whisper_set_draft(state, smart_params.tarjuman_draft.data(), (int) smart_params.tarjuman_draft.size());\n' +
      '        int err = 0;\n',
  ],
  [
    '        Callback().Call({segments});',
    '        segments.Set("draftAccepted", Napi::Number::New(Env(), tarjuman_whisper_draft_accepted(state)));\n' +
      '        Callback().Call({segments});',
  ],
];

/** madvise's header, for the huge pages patch. */
const MMAN_INCLUDE = ['#include <stdlib.h>\n', '#include <stdlib.h>\n#if defined(__linux__)\n#include <sys/mman.h>\n#endif\n'];

/** Transparent huge pages for a CPU buffer just allocated as `data` of `size` bytes (see the module comment). */
const HUGE_PAGES = [
  '#if defined(__linux__) && defined(MADV_HUGEPAGE)',
  '    // Tarjuman: transparent huge pages for the weights, KV caches and compute buffers (see patches.mjs).',
  '    if (data != NULL && size >= (4u << 20)) {',
  '        const uintptr_t huge  = (uintptr_t) 2 << 20;',
  '        const uintptr_t start = ((uintptr_t) data + huge - 1) & ~(huge - 1);',
  '        const uintptr_t end   = ((uintptr_t) data + size) & ~(huge - 1);',
  '        if (end > start) madvise((void *) start, end - start, MADV_HUGEPAGE);',
  '    }',
  '#endif',
  '',
].join('\n');

/**
 * The F32 copy of a weight matrix in ggml-blas.cpp, made once (see the module comment); `toFloat` is how this
 * ggml spells the weight type's to_float.
 * @param {string} toFloat
 */
function blasWeightCache(toFloat) {
  return [
    '    // Tarjuman: the F32 copy of a weight matrix, made once (see scripts/whisper-addon/patches.mjs).',
    '    const float * cached = nullptr;',
    '    if (type != GGML_TYPE_F32 && src0->buffer != nullptr &&',
    '            ggml_backend_buffer_get_usage(src0->buffer) == GGML_BACKEND_BUFFER_USAGE_WEIGHTS) {',
    '        auto found = ctx->weights_f32.find(src0->data);',
    '        if (found != ctx->weights_f32.end()) {',
    '            cached = found->second.get();',
    '        } else {',
    '            static const size_t budget = [] {',
    '                const char * mb = std::getenv("TARJUMAN_WHISPER_F32_CACHE_MB");',
    '                return (size_t) (mb != nullptr ? std::atoll(mb) : 512) << 20;',
    '            }();',
    '            const size_t bytes = (size_t) (ne03*ne02*ne_plane) * sizeof(float);',
    '            if (ctx->weights_f32_bytes + bytes <= budget) {',
    `                ggml_to_float_t const to_float = ${toFloat};`,
    '                std::unique_ptr<float[]> copy(new float[ne03*ne02*ne_plane]);',
    '                for (int64_t i03 = 0; i03 < ne03; i03++) {',
    '                    for (int64_t i02 = 0; i02 < ne02; i02++) {',
    '                        for (int64_t i01 = 0; i01 < ne01; i01++) {',
    '                            to_float((const char *) src0->data + i01*nb01 + i02*nb02 + i03*nb03,',
    '                                     copy.get() + i01*ne00 + i02*ne_plane + i03*ne02*ne_plane, ne00);',
    '                        }',
    '                    }',
    '                }',
    '                cached = copy.get();',
    '                ctx->weights_f32_bytes += bytes;',
    '                ctx->weights_f32.emplace(src0->data, std::move(copy));',
    '            }',
    '        }',
    '    }',
    '',
  ].join('\n');
}

/** The BLAS backend context gains the cache of F32 weight copies. */
const BLAS_CONTEXT = [
  ['#include <future>\n', '#include <future>\n#include <cstdlib>\n#include <memory>\n#include <unordered_map>\n'],
  [
    '    size_t work_size = 0;\n',
    '    size_t work_size = 0;\n' +
      '    std::unordered_map<const void *, std::unique_ptr<float[]>> weights_f32; // Tarjuman\n' +
      '    size_t weights_f32_bytes = 0;\n',
  ],
  [
    '                x = (float *) wdata + i02*ne_plane + i03*ne02*ne_plane;',
    '                x = (cached != nullptr ? cached : (const float *) wdata) + i02*ne_plane + i03*ne02*ne_plane;',
  ],
];

/**
 * The engines Tarjuman can compile: where whisper.cpp and ggml come from, the files the addon compiles (paths
 * inside that tree; patched ones are written beside binding.gyp), and the patches per file.
 * @typedef {{ describe: string, root: (swDir: string, resolve: (pkg: string) => string) => string,
 *   sources: (blas: boolean) => string[], includes: string[], defines: string[], patches: Record<string, Patch[]>,
 *   bindingPatches: Record<string, Patch[]> }} EngineSource
 */

/** @type {Record<string, EngineSource>} */
export const ENGINES = {
  // smart-whisper 0.8.1's own copy (whisper.cpp of autumn 2024, ggml of then).
  'whisper.cpp-2024': {
    describe: "smart-whisper 0.8.1's whisper.cpp (autumn 2024)",
    root: (swDir) => path.join(swDir, 'whisper.cpp'),
    sources: (blas) => [
      'src/whisper.cpp',
      'ggml/src/ggml.c',
      'ggml/src/ggml-alloc.c',
      'ggml/src/ggml-backend.c',
      'ggml/src/ggml-quants.c',
      'ggml/src/ggml-aarch64.c',
      ...(blas ? ['ggml/src/ggml-blas.cpp'] : []),
    ],
    includes: ['include', 'ggml/include', 'ggml/src', 'src'],
    defines: [],
    bindingPatches: { 'src/binding/transcribe.cc': DRAFT_BINDING },
    patches: {
      'src/whisper.cpp': [
        ...CONV_PATCHES,
        [
          [
            '                struct ggml_tensor * K =',
            '                    ggml_permute(ctx0,',
            '                            ggml_cpy(ctx0,',
            '                                Kcur,',
            '                                ggml_new_tensor_3d(ctx0, wctx.itype, n_state_head, n_head, n_ctx)),',
            '                            0, 2, 1, 3);',
            '',
            '                // K * Q',
          ].join('\n'),
          CONTIGUOUS_K,
        ],
        ...LAST_LOGITS_ONLY,
        DRAFT_STATE,
        DRAFT_API,
        DRAFT_SETUP,
        DRAFT_STEP,
      ],
      'ggml/src/ggml-backend.c': [
        [
          '    void * data = malloc(size); // TODO: use GGML_ALIGNED_MALLOC (move to ggml-impl.h)\n',
          '    void * data = malloc(size); // TODO: use GGML_ALIGNED_MALLOC (move to ggml-impl.h)\n' + HUGE_PAGES,
        ],
        MMAN_INCLUDE,
      ],
      'ggml/src/ggml-blas.cpp': [
        ...BLAS_CONTEXT.slice(0, 2),
        [
          '    if (type != GGML_TYPE_F32) {\n        ggml_type_traits_t type_traits',
          blasWeightCache('ggml_internal_get_type_traits(type).to_float') +
            '\n    if (type != GGML_TYPE_F32 && cached == nullptr) {\n        ggml_type_traits_t type_traits',
        ],
        BLAS_CONTEXT[2],
      ],
    },
  },
  // whisper.cpp 1.9.1 with ggml 0.15.1, as the nodejs-whisper package (0.3.1) vendors it (MIT, LICENSE in that
  // tree): the CPU backend split into ggml-cpu (repacked Q4_0/Q4_K/IQ4_NL kernels for AVX2, its own threadpool and
  // OpenMP code, the backend registry), flash attention on by default upstream. Not the default: it did not win in
  // paired A/B runs on the idle machine (1.02-1.07 of the current engine's time on base and small, f16, q8_0 and
  // its repacked q4_0, flash attention 1.04; README.md, speech-to-text engine), the prompt-logits patch is not
  // ported (1.25 with a 100-character prompt), and it is several times more code to compile; to measure it again: npm install --no-save nodejs-whisper@0.3.1 && node scripts/build-whisper.mjs --engine
  // whisper.cpp-1.9 --out node_modules/.tarjuman-whisper-1.9, then bench/engine-ab.ts.
  'whisper.cpp-1.9': {
    describe: "whisper.cpp 1.9.1 / ggml 0.15.1 (vendored by the nodejs-whisper package)",
    root: (_swDir, resolve) => path.join(resolve('nodejs-whisper'), 'cpp/whisper.cpp'),
    sources: (blas) => [
      'src/whisper.cpp',
      ...['ggml.c', 'ggml.cpp', 'ggml-alloc.c', 'ggml-backend.cpp', 'ggml-backend-meta.cpp', 'ggml-opt.cpp',
        'ggml-threading.cpp', 'ggml-quants.c', 'gguf.cpp', 'ggml-backend-reg.cpp'].map((f) => `ggml/src/${f}`),
      ...['ggml-cpu.c', 'ggml-cpu.cpp', 'repack.cpp', 'hbm.cpp', 'quants.c', 'traits.cpp', 'amx/amx.cpp',
        'amx/mmq.cpp', 'binary-ops.cpp', 'unary-ops.cpp', 'vec.cpp', 'ops.cpp', 'arch/x86/quants.c',
        'arch/x86/repack.cpp'].map((f) => `ggml/src/ggml-cpu/${f}`),
      ...(blas ? ['ggml/src/ggml-blas/ggml-blas.cpp'] : []),
    ],
    includes: ['include', 'ggml/include', 'ggml/src', 'ggml/src/ggml-cpu', 'src'],
    defines: [
      'GGML_USE_CPU',
      'GGML_USE_CPU_REPACK',
      'GGML_SCHED_MAX_COPIES=4',
      '_GNU_SOURCE',
      'GGML_VERSION="0.15.1"',
      'GGML_COMMIT="nodejs-whisper-0.3.1"',
      'WHISPER_VERSION="1.9.1"',
    ],
    bindingPatches: {
      'src/binding/transcribe.cc': [['params.suppress_non_speech_tokens =', 'params.suppress_nst =']],
    },
    patches: {
      'src/whisper.cpp': [
        ...CONV_PATCHES,
        [
          [
            '                struct ggml_tensor * K =',
            '                    ggml_permute(ctx0,',
            '                            ggml_cast(ctx0,',
            '                                ggml_reshape_3d(ctx0, Kcur, n_state_head, n_head, n_ctx),',
            '                                wctx.itype),',
            '                            0, 2, 1, 3);',
            '',
            '                // K * Q',
          ].join('\n'),
          CONTIGUOUS_K,
        ],
      ],
      'ggml/src/ggml-backend.cpp': [
        [
          'ggml_backend_cpu_buffer_type_alloc_buffer(ggml_backend_buffer_type_t buft, size_t size) {\n    void * data = ggml_aligned_malloc(size);\n',
          'ggml_backend_cpu_buffer_type_alloc_buffer(ggml_backend_buffer_type_t buft, size_t size) {\n    void * data = ggml_aligned_malloc(size);\n' + HUGE_PAGES,
        ],
        MMAN_INCLUDE,
      ],
      'ggml/src/ggml-blas/ggml-blas.cpp': [
        ...BLAS_CONTEXT.slice(0, 2),
        [
          '    if (type != GGML_TYPE_F32) {\n        const auto * type_traits = ggml_get_type_traits(type);',
          blasWeightCache('ggml_get_type_traits(type)->to_float') +
            '\n    if (type != GGML_TYPE_F32 && cached == nullptr) {\n        const auto * type_traits = ggml_get_type_traits(type);',
        ],
        BLAS_CONTEXT[2],
      ],
    },
  },
};

/**
 * Applies the patches and returns the patched sources, keyed by file name (written beside binding.gyp).
 * @param {{ swDir: string, engineDir: string, engine: EngineSource, blas: boolean }} options smart-whisper's
 *   folder (the binding), the engine's whisper.cpp tree; without BLAS, ggml-blas.cpp is not compiled (nor patched)
 * @returns {Record<string, string>}
 */
export function patchedSources({ swDir, engineDir, engine, blas }) {
  /** @type {Record<string, string>} */
  const out = {};
  /** @param {string} dir @param {string} what @param {Record<string, Patch[]>} table */
  const apply = (dir, what, table) => {
    for (const [file, patches] of Object.entries(table)) {
      if (file.endsWith('ggml-blas.cpp') && !blas) continue;
      const name = path.basename(file);
      let text = out[name] ?? readFileSync(path.join(dir, file), 'utf8');
      for (const [from, to] of patches) {
        if (!text.includes(from)) throw new Error(`build-whisper: ${what}'s ${file} changed; cannot apply: ${from}`);
        text = text.replace(from, to);
      }
      out[name] = text;
    }
  };
  apply(swDir, 'smart-whisper', BINDING_PATCHES);
  apply(swDir, 'smart-whisper', engine.bindingPatches);
  apply(engineDir, engine.describe, engine.patches);
  return out;
}
