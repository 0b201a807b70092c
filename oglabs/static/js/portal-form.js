/*
 * portal-form.js — progressive enhancement of the proposal form; every step works without it.
 *
 * 1. Autosave (htmx, hx-trigger="change delay:800ms") and the buttons must not race: a pending
 *    autosave is dropped when the form is submitted by a button, and a button pressed while an
 *    autosave is on its way waits for it (whose answer updates the hidden expected_version), so the
 *    button's save does not run into a conflict with the person's own autosave.
 * 2. The countdown to the deadline is refreshed every 30 seconds. It is not a live region, so
 *    screen readers are not interrupted; the text is the server's until the first refresh.
 */
(function () {
    "use strict";

    function guardAutosave(form) {
        var submitting = false;
        form.addEventListener("htmx:confirm", function (event) {
            if (submitting) {
                event.preventDefault(); // the button's save sends the same fields
            }
        });
        form.addEventListener("submit", function (event) {
            if (form.classList.contains("htmx-request")) {
                event.preventDefault();
                var submitter = event.submitter || null;
                form.addEventListener("htmx:afterSettle", function () {
                    form.requestSubmit(submitter);
                }, {once: true});
                return;
            }
            submitting = true;
        });
    }

    function remainingText(milliseconds, units) {
        // units: Tag|Tage|Stunde|Stunden|Minute|Minuten|noch|noch weniger als eine Minute
        var minutes = Math.floor(milliseconds / 60000);
        if (minutes < 1) {
            return units[7];
        }
        var days = Math.floor(minutes / 1440);
        var hours = Math.floor((minutes % 1440) / 60);
        var rest = minutes % 60;
        function part(count, one, many) {
            return count + " " + (count === 1 ? one : many);
        }
        var parts;
        if (days) {
            parts = [part(days, units[0], units[1])];
            if (hours) {
                parts.push(part(hours, units[2], units[3]));
            }
        } else if (hours) {
            parts = [part(hours, units[2], units[3])];
            if (rest) {
                parts.push(part(rest, units[4], units[5]));
            }
        } else {
            parts = [part(rest, units[4], units[5])];
        }
        return units[6] + " " + parts.join(", ");
    }

    function refreshCountdowns() {
        var now = Date.now();
        document.querySelectorAll("[data-og-countdown]").forEach(function (element) {
            var deadline = Date.parse(element.getAttribute("data-og-deadline"));
            var units = (element.getAttribute("data-og-units") || "").split("|");
            var template = element.getAttribute("data-og-template") || "";
            if (isNaN(deadline) || units.length !== 8 || template.indexOf("{remaining}") < 0) {
                return;
            }
            element.textContent = template.replace("{remaining}", remainingText(deadline - now, units));
        });
    }

    function start() {
        document.querySelectorAll("form[data-og-autosave]").forEach(guardAutosave);
        if (document.querySelector("[data-og-countdown]")) {
            window.setInterval(refreshCountdowns, 30000);
        }
    }

    if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", start);
    } else {
        start();
    }
}());
