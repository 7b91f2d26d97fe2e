"""Checking plans independently of the solver: re-timing and every rule of the problem.

* :mod:`solver.check.retime` - the earliest feasible schedule of one route;
* :mod:`solver.check.validate` - every rule of a plan (:func:`validate`);
* :mod:`solver.check.reported` - a solution's reported times, breaks and KPIs.
"""

from solver.check.validate import Code, RouteTiming, Violation, plan_of, retime_plan, validate

__all__ = ["Code", "RouteTiming", "Violation", "plan_of", "retime_plan", "validate"]
