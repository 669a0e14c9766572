"""An import-linter contract type for .importlinter: no module of a package imports itself through others."""

from __future__ import annotations

from importlinter import Contract, ContractCheck, fields, output


class NoCycles(Contract):
    """Kept when no import chain leads from a module of `package` back to itself.

    grimp records imports inside functions too, so a late import that only dodges a cycle at load time still counts.
    """

    type_name = "no_cycles"
    package = fields.ModuleField()

    def check(self, graph, verbose: bool) -> ContractCheck:
        """Each direct import a → b whose target leads back to a closes a cycle; report the shortest one."""
        root = self.package.name
        cycles = set()
        for importer in sorted(graph.find_descendants(root) | {root}):
            for imported in sorted(graph.find_modules_directly_imported_by(importer)):
                back = graph.find_shortest_chain(importer=imported, imported=importer)
                if back:
                    cycle = (importer, *back)
                    start = cycle.index(min(cycle[:-1]))  # one spelling per cycle, from its smallest module
                    cycles.add(cycle[start:-1] + cycle[:start] + (cycle[start],))
        return ContractCheck(kept=not cycles, metadata={"cycles": sorted(cycles)})

    def render_broken_contract(self, check: ContractCheck) -> None:
        """One line per cycle: a -> b -> ... -> a."""
        for cycle in check.metadata["cycles"]:
            output.print_error(" -> ".join(cycle))
            output.new_line()
