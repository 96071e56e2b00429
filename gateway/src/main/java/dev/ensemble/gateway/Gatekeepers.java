package dev.ensemble.gateway;

import dev.ensemble.llm.CallRecord;
import dev.ensemble.llm.ChatRequest;
import java.util.List;
import java.util.Optional;

/** Several gatekeepers as one: see {@link Gatekeeper#first}. */
final class Gatekeepers implements Gatekeeper {
    private final List<Gatekeeper> keepers;

    Gatekeepers(List<Gatekeeper> keepers) {
        this.keepers = List.copyOf(keepers);
    }

    @Override
    public Optional<Admission> authenticate(Optional<String> secret) {
        for (Gatekeeper keeper : keepers) {
            Optional<Admission> answer = keeper.authenticate(secret);
            if (answer.isPresent()) return answer;
        }
        return Optional.empty();
    }

    @Override
    public Admission admit(Caller caller, String modelId, ChatRequest request) {
        List<Runnable> held = new java.util.ArrayList<>();
        for (Gatekeeper keeper : keepers) {
            Admission answer = keeper.admit(caller, modelId, request);
            switch (answer) {
                case Admission.Refused refused -> {
                    // What earlier keepers reserved for this step is given back: the step will not happen.
                    releaseAll(held);
                    return refused;
                }
                case Admission.Allowed allowed -> held.add(allowed.release());
            }
        }
        return held.isEmpty() ? Admission.allowed(caller) : Admission.allowed(caller, () -> releaseAll(held));
    }

    private static void releaseAll(List<Runnable> held) {
        for (Runnable release : held) {
            try {
                release.run();
            } catch (RuntimeException ignored) {
                // One keeper's failure to release must not keep the others' reservations.
            }
        }
    }

    @Override
    public Optional<AnswerCheck> answerCheck(Caller caller) {
        for (Gatekeeper keeper : keepers) {
            Optional<AnswerCheck> check = keeper.answerCheck(caller);
            if (check.isPresent()) return check;
        }
        return Optional.empty();
    }

    @Override
    public void settle(Caller caller, CallRecord record) {
        keepers.forEach(keeper -> keeper.settle(caller, record));
    }
}
