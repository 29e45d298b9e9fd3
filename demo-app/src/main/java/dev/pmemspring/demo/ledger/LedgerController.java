package dev.pmemspring.demo.ledger;

import java.util.Map;

import dev.pmemspring.core.TransactionLockTimeoutException;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /ledger} (the statement) and {@code POST /ledger/transfers}. */
@ConditionalOnBooleanProperty(name = "demo.ledger.enabled", matchIfMissing = true)
@RestController
public class LedgerController {

    private final LedgerService ledger;

    public LedgerController(LedgerService ledger) {
        this.ledger = ledger;
    }

    @GetMapping("/ledger")
    public LedgerService.Statement statement() {
        return ledger.statement();
    }

    /** Body: {@code {"from": 0, "to": 1, "amount": 250}}, and {@code "failAfterDebit": true} to see a rollback. */
    @PostMapping("/ledger/transfers")
    public LedgerService.Transfer transfer(@RequestBody TransferRequest request) {
        return ledger.transfer(
                request.from(), request.to(), request.amount(), Boolean.TRUE.equals(request.failAfterDebit()));
    }

    public record TransferRequest(int from, int to, long amount, Boolean failAfterDebit) {}

    @ExceptionHandler(InsufficientFundsException.class)
    ResponseEntity<Map<String, String>> insufficient(InsufficientFundsException e) {
        return error(HttpStatus.CONFLICT, e);
    }

    @ExceptionHandler(IllegalArgumentException.class)
    ResponseEntity<Map<String, String>> invalid(IllegalArgumentException e) {
        return error(HttpStatus.BAD_REQUEST, e);
    }

    @ExceptionHandler(SimulatedFailureException.class)
    ResponseEntity<Map<String, String>> simulated(SimulatedFailureException e) {
        return error(HttpStatus.INTERNAL_SERVER_ERROR, e);
    }

    @ExceptionHandler(TransactionLockTimeoutException.class)
    ResponseEntity<Map<String, String>> busy(TransactionLockTimeoutException e) {
        return error(HttpStatus.SERVICE_UNAVAILABLE, e);
    }

    private static ResponseEntity<Map<String, String>> error(HttpStatus status, RuntimeException e) {
        return ResponseEntity.status(status).body(Map.of("error", String.valueOf(e.getMessage())));
    }
}
