package dev.gadget4j.cli;

import dev.gadget4j.Backends;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Lists every backend provider, available or not, with the reason. */
@Command(name = "backends", description = "List the backends, whether each is available here, and why not.")
final class BackendsCommand implements Callable<Integer> {
    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Override
    public Integer call() {
        var list = Backends.list();
        if (json) {
            StringBuilder b = new StringBuilder("[");
            for (int i = 0; i < list.size(); i++) {
                var s = list.get(i);
                b.append(i == 0 ? "" : ",").append("{\"name\":").append(Json.str(s.name()))
                        .append(",\"priority\":").append(s.priority())
                        .append(",\"available\":").append(s.available())
                        .append(",\"reason\":").append(Json.str(s.reason())).append('}');
            }
            System.out.println(b.append(']'));
            return 0;
        }
        System.out.printf("%-8s %-8s %-10s %s%n", "backend", "priority", "available", "reason");
        for (var s : list) {
            System.out.printf("%-8s %-8d %-10s %s%n", s.name(), s.priority(), s.available() ? "yes" : "no", s.reason());
        }
        return 0;
    }
}
