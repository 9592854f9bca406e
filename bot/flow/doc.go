// Package flow is the flow model of teamsbot: it decodes the YAML flows a
// content team writes (keeping every node's position), checks them, and
// compiles them into a Program the engine runs.
//
// Every problem is an Issue that prints as "file:line:col: message", so an
// editor can jump to it and `teamsbot lint` can list them all at once.
//
// A flow file looks like this:
//
//	flow: school
//	start: age
//	steps:
//	  age:
//	    say: school.ask_age          # a message id from locales/
//	    ask: number                  # typed input; see AskTypes
//	    min: 0
//	    max: 25
//	    save: child_age              # the answer goes in this variable
//	    invalid: school.age_invalid  # said when the answer does not parse
//	    next: level
//	  level:
//	    do: school.level             # an action registered from Go
//	    with: {age: "{child_age}"}
//	    on: {primary: primary, secondary: secondary}
//	  primary:
//	    say: school.primary
//	    options:
//	      - label: school.where
//	        next: where
//	      - label: common.menu
//	        goto: menu
//	  check:
//	    switch:
//	      - if: child_age >= 16 and needs_course
//	        next: cpia
//	      - next: primary            # the last branch has no `if`
//	  person:
//	    say: school.handoff
//	    handoff: school              # an operator takes over
//	  done:
//	    say: school.bye
//	    end: true
//
// Import limits: the standard library, go.yaml.in/yaml/v3 and internal
// packages. It does not import package bot: the engine imports flow.
package flow
