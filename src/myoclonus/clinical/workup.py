"""Work-up tailored to the case: which tests and steps, and why here.

Order follows Levy & Chen 2016 (1: epileptic component? 2: medications and hepatic/renal failure,
3: define the generator) and the eight-step approach of Zutt et al. 2015 (confirm the phenotype
and define the anatomical subtype first; treatable acquired causes; genetic testing last). Each
item's text and sources come from the KB ``workup.*`` entry; ``why`` names the clue that selected
it. Probability cut-offs below are engineering choices (a test is suggested once its question is
reasonably open).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from myoclonus.clinical.assessment import WorkupItem

if TYPE_CHECKING:  # pragma: no cover
    from myoclonus.clinical.engine import EngineContext

__all__ = ["plan_workup", "OPEN_QUESTION_P"]

#: A label with at least this probability is an open question worth a test (engineering choice).
OPEN_QUESTION_P = 0.2


def _clearly_physiologic(ctx: "EngineContext") -> bool:
    return ctx.p("clinical_group", "physiologic") >= 0.6 and "lab:any_abnormal" not in ctx.clues


def _steps(ctx: "EngineContext") -> list[tuple[str, str, str]]:
    """(KB workup id, why for clinicians, why in plain language) in the order they should be done."""
    c = ctx.clues
    p = ctx.p
    steps: list[tuple[str, str, str]] = [
        ("workup.history", "always: age at onset, character, triggers, family history, new medications (S1, S2)",
         "Your doctor will ask when the jerks started, what brings them on, about your family and your medicines."),
        ("workup.examination", "always: localise the myoclonus and look for an underlying condition (S1, S2)",
         "A check of your nerves and muscles shows where the jerks come from and whether something else is going on."),
    ]
    if ctx.intake.medications or "event:new_drug" in c:
        suspects = ", ".join(h.generic for h in ctx.screen.suspects) or "none flagged, check anyway"
        steps.append(("workup.medication_review",
                      f"on medication (suspects: {suspects}); review starts, dose changes and renal dosing",
                      "Some medicines can cause jerks, so all of yours should be checked."))
    if _clearly_physiologic(ctx):
        return steps
    why_blood = "symptomatic myoclonus is the most common group: look for treatable metabolic causes first"
    plain_blood = "Blood tests look for common, treatable causes such as salt, sugar, kidney or liver problems."
    steps += [
        ("workup.blood_electrolytes", why_blood, plain_blood),
        ("workup.blood_glucose", why_blood, plain_blood),
        ("workup.renal_function", why_blood + ("; renally cleared drugs accumulate" if ctx.screen.suspects else ""), plain_blood),
        ("workup.liver_function", why_blood, plain_blood),
    ]
    if "exam:asterixis" in c or "polarity:negative" in c or "lab:alt_u_l:high" in c or "lab:bilirubin_umol_l:high" in c \
            or any(cid == "cause.hepatic_failure" for cid in ctx.conditions.matched.values()):
        steps.append(("workup.ammonia", "asterixis / possible hepatic encephalopathy",
                      "The brief drops of muscle tone can come from the liver, so ammonia is measured."))
    if "alcohol:withdrawal" in c or "alcohol:heavy" in c or "exam:confusion" in c or p("cause", "toxic") >= OPEN_QUESTION_P:
        steps.append(("workup.toxicology", "confusion, alcohol or a possible toxic cause",
                      "Tests for alcohol, drugs or poisons, because confusion or drinking can cause jerks."))
    if (("event:cardiac_arrest:recent" in c or "event:hypoxia:recent" in c) and "impaired_consciousness" in c) \
            or "duration:status" in c:
        steps.append(("workup.continuous_eeg",
                      "comatose after cardiac arrest or continuous jerks: distinguish status myoclonus from early Lance-Adams syndrome",
                      "Continuous brain-wave monitoring in hospital to guide emergency treatment."))
    steps.append(("workup.eeg", "epileptic component? (first question of the work-up)",
                  "A brain-wave test (EEG) checks whether the jerks are linked to seizure activity."))
    if p("clinical_group", "epileptic") >= OPEN_QUESTION_P or "trigger:light" in c or "trigger:sound" in c:
        steps.append(("workup.eeg_photic_auditory", "possible epileptic myoclonus or photic/auditory sensitivity",
                      "The EEG is done with flashing lights and sounds because these may bring on the jerks."))
    top_origin = ctx.top("origin").replace("_", " ")
    steps.append(("workup.polymyography", f"define the generator (current most probable origin: {top_origin})",
                  "Sticky sensors on several muscles record the jerks to find where in the nervous system they start."))
    if p("origin", "cortical") >= OPEN_QUESTION_P or p("origin", "cortical_subcortical") >= OPEN_QUESTION_P:
        why = f"cortical origin suspected (p = {p('origin', 'cortical'):.2f})"
        plain = "These tests check whether the jerks start in the brain's outer layer (cortex)."
        steps += [("workup.jlba", why, plain), ("workup.sep", why + ": giant SEP?", plain),
                  ("workup.c_reflex", why + ": enhanced C-reflex?", plain)]
    if p("origin", "subcortical") >= OPEN_QUESTION_P:
        steps.append(("workup.startle_testing", f"brainstem / startle origin possible (p = {p('origin', 'subcortical'):.2f})",
                      "Testing the response to sudden sounds shows whether the jerks come from the brainstem."))
    functional_p = max(p("origin", "functional"), p("clinical_group", "functional"))
    if functional_p >= OPEN_QUESTION_P or p("origin", "propriospinal") >= OPEN_QUESTION_P:
        steps.append(("workup.bereitschaftspotential",
                      f"functional jerks possible (p = {functional_p:.2f}); also test propriospinal-like jerks for a BP",
                      "A special EEG average shows whether the brain prepares each jerk like a normal movement; this helps "
                      "recognise functional jerks, which are common and treatable."))
    if any(p("cause", k) >= 0.1 for k in ("structural", "neurodegenerative", "infectious_prion", "autoimmune_paraneoplastic")) \
            or "palatal" in c or "course:progressive" in c or p("origin", "cortical") >= 0.4:
        steps.append(("workup.mri_brain",
                      "structural, degenerative, inflammatory or prion cause to exclude (or hypertrophic olive in palatal tremor)",
                      "A brain scan looks for damage, inflammation or other changes that can cause jerks."))
    if p("origin", "spinal_segmental") >= OPEN_QUESTION_P or p("origin", "propriospinal") >= OPEN_QUESTION_P:
        steps.append(("workup.mri_spine", "spinal segmental or propriospinal origin possible",
                      "A scan of the spine, because the jerks may start in the spinal cord."))
    if "exam:opsoclonus" in c or "cognitive_decline:rapid" in c or p("cause", "autoimmune_paraneoplastic") >= 0.1:
        steps.append(("workup.autoimmune_antibodies", "opsoclonus or rapid decline: immune-mediated cause possible",
                      "Blood (and sometimes spinal fluid) tests for an immune reaction against the nervous system."))
    if "exam:opsoclonus" in c:
        if "age:child" in c:
            steps.append(("workup.neuroblastoma_screen",
                          "child with opsoclonus-myoclonus: neuroblastic tumour in about half (Pranzatelli 2017)",
                          "In children with dancing eyes and jerks, doctors look for a small tumour that can trigger it."))
        else:
            steps.append(("workup.paraneoplastic_screen", "adult opsoclonus-myoclonus: paraneoplastic in 39% (Armangue 2016)",
                          "In adults with dancing eyes and jerks, doctors look for a hidden cancer that can trigger it."))
    if p("origin", "peripheral") >= OPEN_QUESTION_P:
        steps.append(("workup.nerve_conduction", "peripheral origin possible (e.g. lateral spread response in hemifacial spasm)",
                      "Nerve tests show whether the jerks come from a nerve outside the brain."))
    if p("cause", "genetic") >= 0.15 or "family_history:true" in c:
        steps.append(("workup.genetic_testing",
                      "family history or a possible genetic cause (last step once acquired causes are excluded)",
                      "Because it may run in the family, a genetic test may be offered after other causes are checked."))
    if p("clinical_group", "epileptic") >= 0.3:
        steps.append(("workup.specialist_epileptologist", "epileptic myoclonus likely",
                      "An epilepsy specialist should see you."))
    steps.append(("workup.specialist_movement_disorders", "myoclonus that is not clearly physiological",
                  "A specialist in movement disorders can confirm the type of jerks and guide treatment."))
    return steps


def plan_workup(ctx: "EngineContext") -> list[WorkupItem]:
    """The tailored work-up as :class:`WorkupItem` objects (KB text in the requested register)."""
    items: list[WorkupItem] = []
    seen: set[str] = set()
    for wid, why, plain in _steps(ctx):
        if wid in seen or wid not in ctx.kb:
            continue
        seen.add(wid)
        entry = ctx.kb.get(wid)
        items.append(WorkupItem(id=wid.split(".", 1)[1], text=entry.text.for_audience(ctx.audience),
                                why=plain if ctx.audience == "patient" else why,
                                sources=list(entry.sources)))
    return items
