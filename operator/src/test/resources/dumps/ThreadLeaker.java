/**
 * A small Java program that leaks threads: every 100 ms it starts the given number of threads that
 * wait forever on one monitor. LeakGuard's tests run it on each JDK and take real thread dumps of it.
 */
public class ThreadLeaker {

    private static final Object LOCK = new Object();
    private static int started;

    public static void main(String[] args) throws Exception {
        int perTick = Integer.parseInt(args[0]);
        System.out.println("ready");
        System.out.flush();
        while (true) {
            for (int i = 0; i < perTick; i++) {
                Thread thread = new Thread(ThreadLeaker::waitForever, "leaked-worker-" + started++);
                thread.setDaemon(true);
                thread.start();
            }
            Thread.sleep(100);
        }
    }

    private static void waitForever() {
        synchronized (LOCK) {
            try {
                LOCK.wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
