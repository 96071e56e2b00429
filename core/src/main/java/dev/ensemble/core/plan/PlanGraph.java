package dev.ensemble.core.plan;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A plan's dependency graph over its distinct task ids (a duplicate id is one node; unknown
 * dependencies and self-dependencies are left out: both are reported on their own). Built once in
 * time linear in the plan plus one bit per pair of tasks: the strongly connected components
 * (Tarjan's algorithm, iterative so a chain of thousands of tasks cannot overflow the stack) give
 * the cycles, and the reachability of each component, built in the order Tarjan finishes them
 * (every dependency before its dependents), answers {@link #reaches} in constant time. The old
 * all-pairs search took 42 s on a plan of 6,000 tasks.
 */
final class PlanGraph {
    private final List<String> ids = new ArrayList<>();
    private final Map<String, Integer> node = new HashMap<>();
    private final int[][] deps;
    private final int[] component;
    private final List<int[]> members = new ArrayList<>();
    private final BitSet[] reach;

    PlanGraph(List<PlanTask> tasks) {
        for (PlanTask task : tasks) {
            node.computeIfAbsent(task.id(), id -> {
                ids.add(id);
                return ids.size() - 1;
            });
        }
        int n = ids.size();
        List<Set<Integer>> edges = new ArrayList<>(n);
        for (int i = 0; i < n; i++) edges.add(new LinkedHashSet<>());
        for (PlanTask task : tasks) {
            int from = node.get(task.id());
            for (String dep : task.dependsOn()) {
                Integer to = node.get(dep);
                if (to != null && to != from) edges.get(from).add(to);
            }
        }
        deps = new int[n][];
        for (int i = 0; i < n; i++) deps[i] = edges.get(i).stream().mapToInt(Integer::intValue).toArray();
        component = new int[n];
        tarjan();
        reach = new BitSet[members.size()];
        for (int c = 0; c < members.size(); c++) {
            BitSet r = new BitSet();
            for (int v : members.get(c)) {
                for (int w : deps[v]) {
                    if (component[w] == c) continue;
                    r.or(reach[component[w]]);
                    r.set(w);
                }
            }
            // Inside a cycle every task depends, through the others, on every other.
            if (members.get(c).length > 1) for (int v : members.get(c)) r.set(v);
            reach[c] = r;
        }
    }

    /** The node of a task id, or -1. */
    int node(String id) {
        return node.getOrDefault(id, -1);
    }

    int size() {
        return ids.size();
    }

    /** Whether task node {@code from} depends, directly or transitively, on {@code to}. */
    boolean reaches(int from, int to) {
        return reach[component[from]].get(to);
    }

    /** Every node {@code from} depends on, directly or transitively (read only). */
    BitSet dependencies(int from) {
        return reach[component[from]];
    }

    /**
     * One cycle per knot of tasks that depend on each other, as a closed walk ({@code a → c → b →
     * a}) from the knot's first task in plan order, with the knot's other tasks when the walk does
     * not pass through all of them.
     */
    List<Cycle> cycles() {
        List<Cycle> found = new ArrayList<>();
        List<int[]> knots = new ArrayList<>();
        for (int[] m : members) if (m.length > 1) knots.add(m);
        knots.sort((a, b) -> Integer.compare(Arrays.stream(a).min().orElseThrow(), Arrays.stream(b).min().orElseThrow()));
        for (int[] knot : knots) {
            int c = component[knot[0]];
            int start = Arrays.stream(knot).min().orElseThrow();
            List<Integer> walk = new ArrayList<>();
            Map<Integer, Integer> at = new HashMap<>();
            int v = start;
            while (!at.containsKey(v)) {
                at.put(v, walk.size());
                walk.add(v);
                int next = -1;
                for (int w : deps[v]) {
                    if (component[w] == c) {
                        next = w;
                        break;
                    }
                }
                v = next;
            }
            List<String> cycle = new ArrayList<>();
            for (int i = at.get(v); i < walk.size(); i++) cycle.add(ids.get(walk.get(i)));
            cycle.add(ids.get(v));
            Set<Integer> onWalk = new java.util.HashSet<>(walk.subList(at.get(v), walk.size()));
            List<String> others = new ArrayList<>();
            Arrays.stream(knot).sorted().filter(m -> !onWalk.contains(m)).forEach(m -> others.add(ids.get(m)));
            found.add(new Cycle(cycle, others));
        }
        return found;
    }

    /** @param walk a closed walk, first id repeated at the end; @param alsoInKnot the knot's tasks the walk leaves out */
    record Cycle(List<String> walk, List<String> alsoInKnot) {}

    private void tarjan() {
        int n = ids.size();
        int[] index = new int[n];
        int[] low = new int[n];
        int[] next = new int[n];
        boolean[] onStack = new boolean[n];
        Arrays.fill(index, -1);
        Deque<Integer> stack = new ArrayDeque<>();
        Deque<Integer> calls = new ArrayDeque<>();
        int counter = 0;
        for (int s = 0; s < n; s++) {
            if (index[s] >= 0) continue;
            index[s] = low[s] = counter++;
            stack.push(s);
            onStack[s] = true;
            calls.push(s);
            while (!calls.isEmpty()) {
                int v = calls.peek();
                if (next[v] < deps[v].length) {
                    int w = deps[v][next[v]++];
                    if (index[w] < 0) {
                        index[w] = low[w] = counter++;
                        stack.push(w);
                        onStack[w] = true;
                        calls.push(w);
                    } else if (onStack[w]) {
                        low[v] = Math.min(low[v], index[w]);
                    }
                    continue;
                }
                calls.pop();
                if (!calls.isEmpty()) low[calls.peek()] = Math.min(low[calls.peek()], low[v]);
                if (low[v] != index[v]) continue;
                List<Integer> scc = new ArrayList<>();
                int w;
                do {
                    w = stack.pop();
                    onStack[w] = false;
                    component[w] = members.size();
                    scc.add(w);
                } while (w != v);
                members.add(scc.stream().mapToInt(Integer::intValue).toArray());
            }
        }
    }
}
