// Every whisper pass of the process on one thread, for Tarjuman's build of the smart-whisper addon.
//
// smart-whisper runs a pass in Node's libuv thread pool, so consecutive passes start on any of its (4) threads.
// libgomp keeps a separate team of OpenMP workers for every thread that opens a parallel region, and once it
// manages more threads than there are cores it stops spinning at barriers and sleeps on a futex instead; ggml
// crosses a barrier after every graph node, so a decode then pays a wake-up per node. Running the passes on one
// dedicated thread keeps one team (measured on 2 cores: 5 s and 10 s passes about 5% faster, steadier). The
// libuv thread that owns the pass waits for it, so the binding's callbacks and error handling do not change.
#ifndef TARJUMAN_WHISPER_THREAD_H
#define TARJUMAN_WHISPER_THREAD_H

#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <thread>

namespace tarjuman {

class WhisperThread {
   public:
    /** Runs `fn` on the whisper thread and returns when it has finished. */
    void run(const std::function<void()> &fn) {
        std::packaged_task<void()> task(fn);
        std::future<void>          done = task.get_future();
        {
            std::lock_guard<std::mutex> lock(mutex);
            queue.push_back(std::move(task));
        }
        wake.notify_one();
        done.get();
    }

    static WhisperThread &get() {
        // Never destroyed: a static destructor joining a thread at process exit could wait on a pass forever.
        static WhisperThread *instance = new WhisperThread();
        return *instance;
    }

   private:
    WhisperThread() { std::thread([this] { loop(); }).detach(); }

    void loop() {
        for (;;) {
            std::packaged_task<void()> task;
            {
                std::unique_lock<std::mutex> lock(mutex);
                wake.wait(lock, [this] { return !queue.empty(); });
                task = std::move(queue.front());
                queue.pop_front();
            }
            task();
        }
    }

    std::mutex                             mutex;
    std::condition_variable                wake;
    std::deque<std::packaged_task<void()>> queue;
};

}  // namespace tarjuman

#endif
