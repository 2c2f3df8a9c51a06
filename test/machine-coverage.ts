// Transition coverage for xstate machines: every transition the machine defines (event,
// eventless and delayed) and the ones actors actually took, by a stable label, so actors
// of several instances of the same machine definition add up.
import type { AnyStateMachine, AnyStateNode, InspectionEvent } from 'xstate';

type TransitionDef = { source: AnyStateNode; eventType: string; target?: readonly AnyStateNode[] | undefined };

function label(d: TransitionDef): string {
  const node = d.source;
  const always = (node.always ?? []) as TransitionDef[];
  const fromAlways = always.indexOf(d);
  const list = ((node.transitions as Map<string, TransitionDef[]>).get(d.eventType) ?? []) as TransitionDef[];
  const event = fromAlways >= 0 ? 'always' : d.eventType.startsWith('xstate.after.') ? `after(${d.eventType.split('.')[2]})` : d.eventType;
  const index = fromAlways >= 0 ? fromAlways : list.indexOf(d);
  return `${node.id} --${event}[${index}]--> ${(d.target ?? []).map((t) => t.id).join(',') || '(self)'}`;
}

export function allTransitionLabels(machine: AnyStateMachine): string[] {
  const out: string[] = [];
  const visit = (node: AnyStateNode) => {
    for (const defs of (node.transitions as Map<string, TransitionDef[]>).values()) for (const d of defs) out.push(label(d));
    for (const d of (node.always ?? []) as TransitionDef[]) out.push(label(d));
    for (const child of Object.values(node.states) as AnyStateNode[]) visit(child);
  };
  visit(machine.root);
  return out;
}

export class TransitionRecorder {
  readonly taken = new Set<string>();
  inspect = (e: InspectionEvent): void => {
    if (e.type === '@xstate.microstep') for (const t of (e as unknown as { _transitions: TransitionDef[] })._transitions) this.taken.add(label(t));
  };
  missing(machine: AnyStateMachine): string[] {
    return allTransitionLabels(machine).filter((l) => !this.taken.has(l));
  }
}
