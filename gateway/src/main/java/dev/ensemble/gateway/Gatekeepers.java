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
        for (Gatekeeper keeper : keepers) {
            Admission answer = keeper.admit(caller, modelId, request);
            if (answer instanceof Admission.Refused) return answer;
        }
        return Admission.allowed(caller);
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
