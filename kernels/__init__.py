"""Numeric kernels: motion profiles, kinematics, robot/CNC/molding process times, path times and
the flow-line recursion.

Pure numpy + numba. Nothing here imports another LineLab package (docs/architecture.md, Layers).

Modules (each a set of checked public functions over private numba kernels compiled with the
one decorator in ``kernels._jit``; models, formulas and data sources in ``docs/kernels.md``):

- ``kernels.motion``: rest-to-rest times and profiles, trapezoidal and jerk-limited (S-curve);
  synchronised multi-axis moves.
- ``kernels.kinematics``: standard DH forward kinematics, damped-least-squares inverse.
- ``kernels.robots``: robots as data (``make_robot``) and the presets (UR5e, ABB IRB
  1200-7/0.7, Epson LS6-602S-class SCARA) with their sources.
- ``kernels.robot_tasks``: motion time through Cartesian or joint waypoints, task time
  (motion + gripper + dwell).
- ``kernels.cnc``: CNC program time (cutting, rapid moves, tool changes, spindle, door, clamp).
- ``kernels.molding``: injection-molding cycle time, energy per cycle, hydraulic or servo drive.
- ``kernels.paths``: all-pairs shortest paths of a layout graph; AGV/forklift/walking travel
  times with acceleration, deceleration and stops.
- ``kernels.flowline``: departure-time recursion of serial lines with finite buffers and
  blocking after service, many replications at once; throughput, cycle time and WIP.
"""
