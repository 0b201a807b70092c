/*
 * oglabs.js — progressive enhancement only; every page works without it.
 * Moves keyboard focus to a form's error summary after a failed submit, so screen readers
 * announce the errors and keyboard users land on the list of links to the fields.
 */
(function () {
    "use strict";
    function focusErrorSummary() {
        var summary = document.querySelector("[data-og-error-summary]");
        if (summary) {
            summary.focus();
        }
    }
    if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", focusErrorSummary);
    } else {
        focusErrorSummary();
    }
}());
